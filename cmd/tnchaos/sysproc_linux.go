package main

import "syscall"

// childAttr puts a child in a process group of its own, so that a Ctrl-C at the terminal
// reaches only tnchaos (which then stops the child itself) and the whole group can be
// signalled, and has the kernel kill it should tnchaos die without cleaning up.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// groupAttr puts a child in a process group of its own without tying its life to tnchaos's:
// for pg_ctl, whose postmaster outlives it and is stopped by pg_ctl stop.
func groupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
