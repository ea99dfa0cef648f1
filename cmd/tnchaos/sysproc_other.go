//go:build unix && !linux

package main

import "syscall"

// childAttr on systems other than Linux: a process group of its own (no parent-death signal).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// groupAttr puts a child in a process group of its own.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
