package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp says the command was asked for its help, which has been printed.
var errHelp = errors.New("help requested")

// newFlagSet returns a flag set that prints nothing itself: parseArgs
// reports its errors once, in plain words, and printFlags its help.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args into fs. On -h or --help it prints usage, then the
// flags, to help and returns errHelp; on a bad flag it returns one plain
// sentence pointing at cmd's --help.
func parseArgs(fs *flag.FlagSet, args []string, cmd, usage string, help io.Writer) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(help, usage)
		fmt.Fprintln(help, "\nFlags:")
		printFlags(help, fs)
		return errHelp
	}
	return fmt.Errorf("%s; run \"%s --help\" for the flags", plainFlagError(fs, err), cmd)
}

// printFlags lists fs's flags as --name VALUE, with their usage and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if kind != "" {
			head += " " + kind
		}
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", head, strings.ReplaceAll(usage, "\n", "\n    \t"))
	})
}

// plainFlagError rewrites the flag package's error in our own words, with
// flags spelt --name as the help spells them.
func plainFlagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		text := fmt.Sprintf("unknown flag --%s", name)
		if near := nearestFlag(fs, name); near != "" {
			text += fmt.Sprintf(" (did you mean --%s?)", near)
		}
		return text
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fmt.Sprintf("--%s needs a value", strings.TrimLeft(name, "-"))
	}
	// invalid value "x" for flag -batch: parse error
	// invalid boolean value "x" for -dry-run: parse error
	for _, marker := range []string{" for flag -", " for -"} {
		if i := strings.Index(msg, marker); i >= 0 {
			value := strings.TrimPrefix(strings.TrimPrefix(msg[:i], "invalid boolean value "), "invalid value ")
			name, _, _ := strings.Cut(msg[i+len(marker):], ":")
			return fmt.Sprintf("--%s %s is not %s", name, value, valueKind(fs.Lookup(name)))
		}
	}
	return msg
}

// valueKind says what a flag's value must look like.
func valueKind(f *flag.Flag) string {
	if f == nil {
		return "a valid value"
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "true or false"
	}
	switch kind, _ := flag.UnquoteUsage(f); kind {
	case "int":
		return "a whole number"
	case "duration":
		return "a duration such as 90s or 30m"
	default:
		return "a valid " + kind
	}
}

// nearestFlag returns the defined flag closest to name, when it is close
// enough to be a misspelling of it.
func nearestFlag(fs *flag.FlagSet, name string) string {
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
