package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"google.golang.org/grpc"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Exit statuses of Main.
const (
	// ExitOK: every number succeeded (or, in a dry run, every number is valid).
	ExitOK = 0
	// ExitIncomplete: the run ended, but some numbers did not succeed.
	ExitIncomplete = 1
	// ExitError: a usage, file or connection error, or the call failed.
	ExitError = 2
)

// Env is what Main needs from outside the process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal says Stderr is a terminal: progress is drawn as a bar
	// redrawn in place rather than as plain lines.
	Terminal bool
	// Width is the terminal's width in columns; 0 means 80.
	Width int
	// Interrupts delivers interrupt signals: the first stops sending numbers
	// and waits for those already sent, the second ends the call at once.
	// Nil means none.
	Interrupts <-chan os.Signal
	// DialOptions are added to the client's dial options; tests use them to
	// dial an in-process server.
	DialOptions []grpc.DialOption
	// LookupEnv reads the process's environment (os.LookupEnv); only
	// TNASSIGN_TOKEN is read. Nil reads nothing.
	LookupEnv func(name string) (string, bool)
	// ProgressInterval overrides the time between progress redraws.
	ProgressInterval time.Duration
}

const usage = `tnassign assigns or unassigns telephone numbers at Bandwidth through tnassignd.

Usage:
  tnassign assign   --account ID --file FILE [flags]
  tnassign unassign --account ID --file FILE [flags]
  tnassign job get|list|outcomes|watch --account ID [JOB_ID] [flags]
  tnassign help

FILE has one number per line, or is a CSV file (comma, tab or semicolon
separated) whose numbers column is found by its header ("number", "tn",
"phone", ...) or chosen with --column. Run "tnassign assign --help" for the
flags.

Every command connects without TLS only to a loopback --server (the default
127.0.0.1:9090) and with TLS to any other; --tls-ca, --tls-cert, --tls-key and
--plaintext change that. A caller token is read from the TNASSIGN_TOKEN
environment variable or from --token-file FILE, never from a flag.

Exit status: 0 every number succeeded, 1 some did not (see --out),
2 usage, file or connection error.
`

// Main runs the tnassign command line args (without the program name) and
// returns the process's exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		fmt.Fprintln(env.Stderr, "tnassign: no command given; run \"tnassign assign --help\" to start")
		return ExitError
	}
	switch args[0] {
	case "assign":
		return command(ctx, tnassignv1.Action_ACTION_ASSIGN, args[1:], env)
	case "unassign":
		return command(ctx, tnassignv1.Action_ACTION_UNASSIGN, args[1:], env)
	case "job":
		return jobCommand(ctx, args[1:], env)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.Stdout, usage)
		return ExitOK
	default:
		fmt.Fprintf(env.Stderr, "tnassign: unknown command %q; run \"tnassign help\" for the commands\n", args[0])
		return ExitError
	}
}

func command(ctx context.Context, action tnassignv1.Action, args []string, env Env) int {
	o, err := parseFlags(action, args, env.Stdout)
	if err != nil {
		if errors.Is(err, errHelp) {
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "tnassign %s: %v\n", o.verb(), err)
		return ExitError
	}
	return run(ctx, o, env)
}
