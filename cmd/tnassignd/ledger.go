package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/config"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgerurl"
)

// openLedger opens the ledger --ledger names, applying its migrations.
func openLedger(ctx context.Context, l config.Ledger) (ledger.Store, error) {
	s, err := ledgerurl.Open(ctx, l.URL)
	if err != nil {
		return nil, &ledgerError{msg: "--ledger " + l.Redacted() + ": " + l.Scrub(err.Error()), err: err}
	}
	return s, nil
}

// ledgerError is a failure to open the ledger whose message has the
// ledger URL's secrets redacted: the drivers may quote the URL as given.
type ledgerError struct {
	msg string
	err error
}

func (e *ledgerError) Error() string { return e.msg }

// Unwrap returns the driver's error, for errors.Is and errors.As; its own
// message may hold the secrets.
func (e *ledgerError) Unwrap() error { return e.err }

// migrate is "tnassignd migrate": apply the ledger's migrations and exit.
func migrate(ctx context.Context, args []string, lookupEnv func(string) (string, bool)) error {
	url, _ := lookupEnv(config.EnvName("ledger"))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--ledger" || a == "-ledger":
			if i+1 == len(args) {
				return errors.New("--ledger needs a value")
			}
			url = args[i+1]
			i++
		case strings.HasPrefix(a, "--ledger=") || strings.HasPrefix(a, "-ledger="):
			url = a[strings.IndexByte(a, '=')+1:]
		default:
			return fmt.Errorf("migrate takes only --ledger, not %q", a)
		}
	}
	if url == "" {
		url = config.DefaultLedger
	}
	l, err := config.ParseLedger(url)
	if err != nil {
		return err
	}
	if l.Scheme == "memory" {
		return errors.New("--ledger memory:// has nothing to migrate")
	}
	s, err := openLedger(ctx, l)
	if err != nil {
		return err
	}
	return s.Close()
}
