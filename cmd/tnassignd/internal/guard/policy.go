package guard

import (
	"strings"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// rule is the access policy of one gRPC method.
type rule struct {
	// open methods need no token: the health check.
	open bool
	// anyToken methods need a valid token and nothing more: reflection.
	anyToken bool
	// action is what the method does; "" with byRequest set means the
	// request says.
	action    Action
	byRequest func(req any) Action
	// job marks the methods that start a job: they count against the
	// caller's concurrent jobs and the numbers-per-job cap.
	job bool
	// watch marks the method that follows a job for as long as it runs: it
	// counts against the caller's concurrent watches.
	watch bool
	// deny refuses the method whatever the token (a method without a
	// policy: fail closed).
	deny bool
}

// ruleFor returns the policy of a full method name ("/pkg.Service/Method").
// Every AssignmentService method has its action; health is open; reflection
// (which describes the API, not any account's data) needs any valid token;
// any other method is denied when authentication is on, so a method added
// without a policy fails closed (TestEveryMethodHasARule keeps the
// AssignmentService complete).
func ruleFor(method string) rule {
	switch method {
	case tnassignv1.AssignmentService_AssignNumbers_FullMethodName:
		return rule{action: ActionAssign, job: true}
	case tnassignv1.AssignmentService_UnassignNumbers_FullMethodName:
		return rule{action: ActionUnassign, job: true}
	case tnassignv1.AssignmentService_CreateAssignmentJob_FullMethodName:
		return rule{byRequest: createAction, job: true}
	case tnassignv1.AssignmentService_GetAssignmentJob_FullMethodName,
		tnassignv1.AssignmentService_ListAssignmentJobs_FullMethodName,
		tnassignv1.AssignmentService_ListNumberOutcomes_FullMethodName:
		return rule{action: ActionRead}
	case tnassignv1.AssignmentService_WatchAssignmentJob_FullMethodName:
		return rule{action: ActionRead, watch: true}
	}
	switch {
	case strings.HasPrefix(method, "/grpc.health.v1.Health/"):
		return rule{open: true}
	case strings.HasPrefix(method, "/grpc.reflection.v1.ServerReflection/"),
		strings.HasPrefix(method, "/grpc.reflection.v1alpha.ServerReflection/"):
		return rule{anyToken: true}
	default:
		return rule{deny: true}
	}
}

// createAction is the action a CreateAssignmentJob request asks for. An
// unspecified action needs no grant here: the service refuses the request
// as INVALID_ARGUMENT without doing anything.
func createAction(req any) Action {
	r, ok := req.(*tnassignv1.CreateAssignmentJobRequest)
	if !ok {
		return ""
	}
	switch r.GetAction() {
	case tnassignv1.Action_ACTION_ASSIGN:
		return ActionAssign
	case tnassignv1.Action_ACTION_UNASSIGN:
		return ActionUnassign
	default:
		return ""
	}
}
