package errorinfo

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Domain is the ErrorInfo domain of every status tnassign returns.
const Domain = "tnassign"

// Reason returns the wire form of r, the ErrorInfo.reason string: the value's
// name in the proto, such as "ACCOUNT_NOT_ALLOWED".
func Reason(r tnassignv1.ErrorReason) string { return r.String() }

// Parse returns the ErrorReason whose wire form is reason, or
// ERROR_REASON_UNSPECIFIED when reason names none of them (a reason of a newer
// server, or no reason at all).
func Parse(reason string) tnassignv1.ErrorReason {
	if v, ok := tnassignv1.ErrorReason_value[reason]; ok {
		return tnassignv1.ErrorReason(v)
	}
	return tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED
}

// New returns a status with code and message that carries one ErrorInfo —
// reason r, domain Domain and metadata meta (nil for none) — followed by the
// extra details, such as a google.rpc.BadRequest. Details keep to a few
// hundred bytes: clients cap trailers near 8 KiB.
func New(code codes.Code, r tnassignv1.ErrorReason, message string, meta map[string]string, extra ...protoadapt.MessageV1) *status.Status {
	details := append([]protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: Reason(r), Domain: Domain, Metadata: meta}}, extra...)
	st := status.New(code, message)
	if withDetails, err := st.WithDetails(details...); err == nil {
		st = withDetails
	}
	return st
}

// Of returns the reason and metadata of the ErrorInfo in the domain Domain
// that err's status carries. found is false when err carries none: it is not
// a status, or it did not come from tnassign (gRPC's own errors, such as an
// unreachable server, carry none). A reason this build does not know comes
// back as ERROR_REASON_UNSPECIFIED with found true.
func Of(err error) (reason tnassignv1.ErrorReason, meta map[string]string, found bool) {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, nil, false
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == Domain {
			return Parse(info.GetReason()), info.GetMetadata(), true
		}
	}
	return tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED, nil, false
}
