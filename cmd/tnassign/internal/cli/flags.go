package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/rows"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// options are the flags of assign and unassign.
type options struct {
	action          tnassignv1.Action
	server          string
	account         string
	file            string
	column          string
	customerOrderID string
	requestID       string
	requestIDSet    bool // --request-id was given, possibly empty
	dryRun          bool
	out             string
	batch           int
	timeout         time.Duration
	keep            rows.Keep
	transport       transportOptions
}

// verb returns the command's name.
func (o options) verb() string {
	if o.action == tnassignv1.Action_ACTION_UNASSIGN {
		return "unassign"
	}
	return "assign"
}

// maxBatch bounds --batch so one message stays far below gRPC's 4 MiB.
const maxBatch = 10000

// parseFlags parses the flags of assign or unassign; -h prints the help to
// help and returns errHelp.
func parseFlags(action tnassignv1.Action, args []string, help io.Writer) (options, error) {
	o := options{action: action}
	fs := newFlagSet("tnassign " + o.verb())
	fs.StringVar(&o.server, "server", "127.0.0.1:9090", "tnassignd's gRPC address, host:port")
	fs.StringVar(&o.account, "account", "", "Bandwidth account id that owns the numbers (required)")
	fs.StringVar(&o.file, "file", "", "numbers file: one number per line, or CSV; - reads standard input (required)")
	fs.StringVar(&o.column, "column", "", "CSV column holding the numbers: a header NAME or a 1-based INDEX (default: found by its header)")
	fs.StringVar(&o.customerOrderID, "customer-order-id", "", "tracking id sent with every Bandwidth order: up to 32 of A-Z a-z 0-9 space -")
	fs.StringVar(&o.requestID, "request-id", "", "idempotency key; default: derived from the file, account and action, so re-running the same command replays it; empty (--request-id=) sends none")
	fs.BoolVar(&o.dryRun, "dry-run", false, "validate and plan only; send nothing to Bandwidth")
	fs.StringVar(&o.out, "out", "", "write one result row per input row to this CSV file (- for standard output)")
	fs.IntVar(&o.batch, "batch", 1000, fmt.Sprintf("numbers per request message, 1 to %d", maxBatch))
	fs.DurationVar(&o.timeout, "timeout", 0, "give up after this long, e.g. 30m (default: no limit)")
	keep := fs.Bool("keep-columns", false, "write the input's columns, then the outcome columns, in --out (default: on for CSV input with more than one column; --keep-columns=false writes input,number,outcome,...)")
	o.transport.register(fs)
	usage := fmt.Sprintf("Usage: tnassign %s --account ID --file FILE [flags]\n", o.verb())
	if err := parseArgs(fs, args, "tnassign "+o.verb(), usage, help); err != nil {
		return o, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "request-id":
			o.requestIDSet = true
		case "keep-columns":
			o.keep = rows.KeepNever
			if *keep {
				o.keep = rows.KeepAlways
			}
		}
	})
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q; give the numbers file with --file", fs.Arg(0))
	case strings.TrimSpace(o.account) == "":
		return o, errors.New("--account is required: the Bandwidth account id, for example --account 9900000")
	case o.file == "":
		return o, errors.New("--file is required: a numbers file, or - for standard input")
	case o.batch < 1 || o.batch > maxBatch:
		return o, fmt.Errorf("--batch %d is out of range; use 1 to %d", o.batch, maxBatch)
	case o.timeout < 0:
		return o, fmt.Errorf("--timeout %v is negative; use a duration such as 30m", o.timeout)
	case o.out != "" && o.out != "-" && o.out == o.file:
		return o, errors.New("--out would overwrite the input file; choose another results file")
	}
	o.account = strings.TrimSpace(o.account)
	return o, nil
}
