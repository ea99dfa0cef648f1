package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

const jobUsage = `Usage:
  tnassign job get      --account ID JOB_ID
  tnassign job list     --account ID [--state STATE] [--limit N]
  tnassign job outcomes --account ID JOB_ID [--result RESULT] [--out FILE.csv]
  tnassign job watch    --account ID JOB_ID

Reads the jobs tnassignd recorded in its ledger. STATE is running, succeeded,
partial, failed or aborted; RESULT is succeeded, failed, rejected or
not_submitted. Every command takes --server (default 127.0.0.1:9090) and the
connection flags of assign: --tls-ca, --tls-cert, --tls-key, --plaintext,
--token-file (or the TNASSIGN_TOKEN environment variable).

Exit status: 0 success (for watch: the job SUCCEEDED), 1 the watched job did
not succeed, 2 usage or connection error, or no such job.
`

// jobOptions are the flags of the job subcommands.
type jobOptions struct {
	verb      string
	server    string
	account   string
	jobID     string
	state     tnassignv1.JobState
	limit     int
	result    tnassignv1.NumberResult
	out       string
	transport transportOptions
}

// jobCommand runs "tnassign job ..." (args after "job").
func jobCommand(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stdout, jobUsage)
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	o, err := parseJobFlags(args[0], args[1:], env.Stdout)
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "tnassign job %s: %v\n", args[0], err)
		return ExitError
	}
	conn, c, err := dial(o.server, o.transport, env)
	if err != nil {
		fmt.Fprintf(env.Stderr, "tnassign job %s: %v\n", o.verb, err)
		return ExitError
	}
	defer conn.Close()
	client := tnassignv1.NewAssignmentServiceClient(conn)
	var code int
	switch o.verb {
	case "get":
		code, err = jobGet(ctx, client, o, env.Stdout)
	case "list":
		code, err = jobList(ctx, client, o, env.Stdout)
	case "outcomes":
		code, err = jobOutcomes(ctx, client, o, env.Stdout)
	case "watch":
		code, err = jobWatch(ctx, client, o, env.Stdout)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "tnassign job %s: %s\n", o.verb, jobHint(err, o, c))
		return ExitError
	}
	return code
}

// parseJobFlags parses the flags of "tnassign job VERB"; -h prints the help
// to help and returns errHelp.
func parseJobFlags(verb string, args []string, help io.Writer) (jobOptions, error) {
	o := jobOptions{verb: verb}
	switch verb {
	case "get", "list", "outcomes", "watch":
	default:
		return o, fmt.Errorf("unknown command %q; run \"tnassign job help\"", verb)
	}
	fs := newFlagSet("tnassign job " + verb)
	fs.StringVar(&o.server, "server", "127.0.0.1:9090", "tnassignd's gRPC address, host:port")
	fs.StringVar(&o.account, "account", "", "Bandwidth account id the job belongs to (required)")
	var state, result string
	if verb == "list" {
		fs.StringVar(&state, "state", "", "only jobs in this state: running, succeeded, partial, failed or aborted")
		fs.IntVar(&o.limit, "limit", 50, "list at most this many jobs, newest first")
	}
	if verb == "outcomes" {
		fs.StringVar(&result, "result", "", "only numbers with this result: succeeded, failed, rejected or not_submitted")
		fs.StringVar(&o.out, "out", "", "write the outcomes to this CSV file instead of standard output")
	}
	o.transport.register(fs)
	// Flags may follow the job id: parse, take one argument, parse the rest.
	rest := args
	var positional []string
	for {
		if err := parseArgs(fs, rest, "tnassign job "+verb, jobUsage, help); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	o.account = strings.TrimSpace(o.account)
	switch {
	case o.account == "":
		return o, errors.New("--account is required: the Bandwidth account id, for example --account 9900000")
	case verb == "list" && len(positional) > 0:
		return o, fmt.Errorf("unexpected argument %q", positional[0])
	case verb != "list" && len(positional) != 1:
		return o, fmt.Errorf("give exactly one job id, as printed by \"tnassign job list --account %s\"", o.account)
	case o.limit < 1 && verb == "list":
		return o, fmt.Errorf("--limit %d: use 1 or more", o.limit)
	}
	if verb != "list" {
		o.jobID = positional[0]
	}
	if state != "" {
		v, ok := tnassignv1.JobState_value["JOB_STATE_"+strings.ToUpper(state)]
		if !ok || v == 0 {
			return o, fmt.Errorf("--state %q: use running, succeeded, partial, failed or aborted", state)
		}
		o.state = tnassignv1.JobState(v)
	}
	if result != "" {
		v, ok := tnassignv1.NumberResult_value["NUMBER_RESULT_"+strings.ToUpper(result)]
		if !ok || v == 0 {
			return o, fmt.Errorf("--result %q: use succeeded, failed, rejected or not_submitted", result)
		}
		o.result = tnassignv1.NumberResult(v)
	}
	return o, nil
}
