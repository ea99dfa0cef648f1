package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/cli"
)

func main() {
	interrupts := make(chan os.Signal, 2)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	env := cli.Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Terminal:   term.IsTerminal(int(os.Stderr.Fd())),
		Interrupts: interrupts,
		LookupEnv:  os.LookupEnv,
	}
	if env.Terminal {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil {
			env.Width = w
		}
	}
	os.Exit(cli.Main(context.Background(), os.Args[1:], env))
}
