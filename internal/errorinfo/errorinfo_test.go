package errorinfo

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

func TestReasonIsTheValueName(t *testing.T) {
	t.Parallel()
	values := tnassignv1.ErrorReason(0).Descriptor().Values()
	for i := range values.Len() {
		v := values.Get(i)
		r := tnassignv1.ErrorReason(v.Number())
		if Reason(r) != string(v.Name()) {
			t.Errorf("Reason(%d) = %q, want the value's name %q", v.Number(), Reason(r), v.Name())
		}
		if Parse(Reason(r)) != r {
			t.Errorf("Parse(%q) = %v", Reason(r), Parse(Reason(r)))
		}
		if r != tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED && strings.HasPrefix(Reason(r), "ERROR_REASON_") {
			t.Errorf("%s: a reason's wire form carries no ERROR_REASON_ prefix", r)
		}
	}
	for _, s := range []string{"", "NO_SUCH_REASON", "token_missing", "3"} {
		if got := Parse(s); got != tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			t.Errorf("Parse(%q) = %v, want unspecified", s, got)
		}
	}
}

func TestNewAndOf(t *testing.T) {
	t.Parallel()
	br := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "account_id", Description: "required"}}}
	st := New(codes.InvalidArgument, tnassignv1.ErrorReason_INVALID_ARGUMENT, "bad", map[string]string{"job_id": "j1"}, br)
	if st.Code() != codes.InvalidArgument || st.Message() != "bad" || len(st.Details()) != 2 {
		t.Fatalf("status %v, details %v", st, st.Details())
	}
	info, ok := st.Details()[0].(*errdetails.ErrorInfo)
	if !ok || info.GetReason() != "INVALID_ARGUMENT" || info.GetDomain() != "tnassign" || info.GetMetadata()["job_id"] != "j1" {
		t.Errorf("first detail %v, want the ErrorInfo", st.Details()[0])
	}
	tests := []struct {
		name   string
		err    error
		reason tnassignv1.ErrorReason
		found  bool
	}{
		{"ours", st.Err(), tnassignv1.ErrorReason_INVALID_ARGUMENT, true},
		{"wrapped", fmt.Errorf("call: %w", New(codes.Unavailable, tnassignv1.ErrorReason_JOB_HANDED_OVER, "m", nil).Err()), tnassignv1.ErrorReason_JOB_HANDED_OVER, true},
		{"a newer server's reason", withInfo(codes.Unavailable, "SOMETHING_NEW", Domain), tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, true},
		{"another domain", withInfo(codes.Unavailable, "JOB_HANDED_OVER", "googleapis.com"), tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, false},
		{"no details", status.Error(codes.Unavailable, "connection refused"), tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, false},
		{"not a status", errors.New("x"), tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, false},
		{"nil", nil, tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, false},
	}
	for _, tc := range tests {
		if r, _, found := Of(tc.err); r != tc.reason || found != tc.found {
			t.Errorf("%s: Of = %v, %v; want %v, %v", tc.name, r, found, tc.reason, tc.found)
		}
	}
}

func withInfo(code codes.Code, reason, domain string) error {
	st, err := status.New(code, "m").WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: domain})
	if err != nil {
		panic(err)
	}
	return st.Err()
}

// TestEveryReasonIsSent is the reverse of the service's and the guard's
// tests (which check that every status they make names a value of
// ErrorReason): every value but ERROR_REASON_UNSPECIFIED is used by the
// server's code (service/ and cmd/tnassignd/), so the enum lists no reason
// that is never sent. It also checks that no code outside this package and
// gen/ builds an ErrorInfo itself, so that every ErrorInfo tnassign sends
// comes from New, with a value of the enum for its reason.
func TestEveryReasonIsSent(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	used := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == "gen", rel == "internal/errorinfo", rel == "third_party", rel == "bin",
				d.Name() == "testdata", d.Name() == "node_modules", rel != "." && strings.HasPrefix(d.Name(), "."):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		server := strings.HasPrefix(rel, "service/") || strings.HasPrefix(rel, "cmd/tnassignd/")
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if name, ok := strings.CutPrefix(n.Sel.Name, "ErrorReason_"); ok && server {
					used[name] = true
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "ErrorInfo" {
					t.Errorf("%s builds an ErrorInfo itself; use errorinfo.New", rel)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range tnassignv1.ErrorReason_value {
		if name != "ERROR_REASON_UNSPECIFIED" && !used[name] {
			t.Errorf("no code of the server sends ErrorReason %s: send it, or remove it from the enum (reserving its number)", name)
		}
	}
}
