// Package errorinfo spells the google.rpc.ErrorInfo that every error status
// of tnassign carries: the domain "tnassign" and a reason that is a value of
// tnassignv1.ErrorReason, sent by name (AIP-193).
//
// The service, the daemon's guard and its JSON gateway build their statuses
// with New, so a reason is always a value of the enum and the domain is
// written once, here; clients (the tnassign command, tnchaos) read the reason
// back with Of. Which status maps from which error stays with the code that
// owns the error: service/errors.go for the service, the guard for its
// refusals.
package errorinfo
