package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/progress"
	"github.com/tnassign/tnassign/cmd/tnassign/internal/rows"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// run executes assign or unassign with parsed options.
func run(ctx context.Context, o options, env Env) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "tnassign %s: %s\n", o.verb(), fmt.Sprintf(format, args...))
		return ExitError
	}
	table, format, digest, err := readInput(o, env.Stdin)
	if err != nil {
		return fail("%v", err)
	}
	if table.Numbers() == 0 {
		return fail("no telephone numbers in %s; check --file (and --column for a CSV file)", inputName(o.file))
	}
	requestID := o.requestID
	if !o.requestIDSet {
		requestID = deriveRequestID(digest, o)
	}
	results, err := createResults(o.out, env.Stdout)
	if err != nil {
		return fail("%v", err)
	}
	defer results.discard()
	conn, c, err := dial(o.server, o.transport, env)
	if err != nil {
		return fail("%v", err)
	}
	defer conn.Close()

	j := &job{o: o, conn: c, requestID: requestID, table: table}
	j.display = progress.New(env.Stderr, j.stats, progress.Config{
		Terminal: env.Terminal, Width: env.Width, Interval: env.ProgressInterval,
	})
	callCtx := ctx
	if o.timeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	start := time.Now()
	j.callStart = start
	j.display.Start()
	callErr := j.stream(callCtx, tnassignv1.NewAssignmentServiceClient(conn), env.Interrupts)
	j.display.Stop()
	elapsed := time.Since(start)
	if callErr != nil && j.jobID == "" {
		// Refused or unreachable before the job started: nothing happened
		// to any number, so there is nothing to report but the reason.
		return fail("%s", callHint(callErr, o, c, false))
	}

	sent := int(j.sent.Load())
	cause := "the call ended early"
	if callErr != nil {
		cause = "the call ended early (" + codeName(callErr) + ")"
	}
	unreported := table.FinishPending(0, sent, "no outcome: "+cause+" before the server reported this number; re-run the same command to replay it")
	notSent := "not sent to the server: " + cause
	if j.interrupted.Load() {
		notSent = "not sent to the server: interrupted"
	}
	table.FinishPending(sent, table.Len(), notSent)

	summaryTo := env.Stdout
	if o.out == "-" {
		summaryTo = env.Stderr
	}
	if err := results.commit(table); err != nil {
		return fail("%v", err)
	}
	writeSummary(summaryTo, summary{
		o: o, j: j, format: format, input: inputName(o.file), elapsed: elapsed, requestID: requestID,
	})
	return verdict(env.Stderr, o, j, callErr, unreported)
}

// verdict prints the closing line, when there is one, and picks the exit
// status.
func verdict(w io.Writer, o options, j *job, callErr error, unreported int) int {
	t := j.table
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "tnassign %s: %s\n", o.verb(), fmt.Sprintf(format, args...))
	}
	if n := t.Unmatched(); n > 0 {
		say("warning: the server reported %d numbers that match no input row; please report job %s", n, j.jobID)
	}
	if callErr != nil {
		say("%s", callHint(callErr, o, j.conn, j.jobID != ""))
		return ExitError
	}
	if j.finished == nil || unreported > 0 {
		say("the server ended the call without reporting every number; re-run the same command to replay it")
		return ExitError
	}
	see := "run again with --out results.csv to see which"
	if o.out != "" && o.out != "-" {
		see = "see " + o.out + " (outcome and description columns)"
	}
	bad := t.Numbers() - t.Count(rows.Succeeded)
	if o.dryRun {
		bad = t.Count(rows.Rejected)
	}
	if bad == 0 {
		return ExitOK
	}
	if o.dryRun {
		say("%s of %s numbers would be rejected; %s", progress.Thousands(int64(bad)), progress.Thousands(int64(t.Numbers())), see)
	} else {
		say("%s of %s numbers did not succeed; %s", progress.Thousands(int64(bad)), progress.Thousands(int64(t.Numbers())), see)
	}
	return ExitIncomplete
}

// readInput reads the numbers file, hashing its bytes on the way.
func readInput(o options, stdin io.Reader) (*rows.Table, rows.Format, hash.Hash, error) {
	var r io.Reader = stdin
	if o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, rows.Format{}, nil, fmt.Errorf("cannot open --file: %w; check the path", err)
		}
		defer f.Close()
		r = f
	}
	h := sha256.New()
	table, format, err := rows.Read(io.TeeReader(r, h), rows.Options{Column: o.column, Keep: o.keep})
	if err != nil {
		return nil, format, nil, fmt.Errorf("%s: %w", inputName(o.file), err)
	}
	return table, format, h, nil
}

func inputName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}

// deriveRequestID returns the default idempotency key: the same file,
// account, action and options give the same key, so the server can replay a
// re-run instead of submitting the numbers again.
func deriveRequestID(content hash.Hash, o options) string {
	h := sha256.New()
	for _, s := range []string{"tnassign-cli/1", o.verb(), o.account, o.customerOrderID, o.column,
		strconv.FormatBool(o.dryRun), hex.EncodeToString(content.Sum(nil))} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "cli-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// resultsFile is where --out goes: a temporary file beside the target,
// renamed into place once complete, so a results file is never partial.
type resultsFile struct {
	path   string
	tmp    *os.File
	stdout io.Writer
}

func createResults(path string, stdout io.Writer) (*resultsFile, error) {
	r := &resultsFile{path: path}
	switch path {
	case "":
		return r, nil
	case "-":
		r.stdout = stdout
		return r, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cannot write --out %s: %w; choose a writable path", path, err)
	}
	r.tmp = tmp
	return r, nil
}

func (r *resultsFile) commit(t *rows.Table) error {
	switch {
	case r.stdout != nil:
		return t.WriteCSV(r.stdout)
	case r.tmp == nil:
		return nil
	}
	err := t.WriteCSV(r.tmp)
	if cerr := r.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(r.tmp.Name(), r.path)
	}
	if err != nil {
		return fmt.Errorf("cannot write --out %s: %w; check free space and permissions", r.path, err)
	}
	r.tmp = nil
	return nil
}

// discard removes the temporary file when commit did not happen.
func (r *resultsFile) discard() {
	if r.tmp != nil {
		r.tmp.Close()
		os.Remove(r.tmp.Name())
	}
}
