package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// countRunning pages through the account's RUNNING jobs and returns how many there are.
func countRunning(ctx context.Context, client tnassignv1.AssignmentServiceClient) (int, error) {
	jobs, err := listJobs(ctx, client, tnassignv1.JobState_JOB_STATE_RUNNING)
	return len(jobs), err
}

// awaitNoneRunning waits until no job of the account is RUNNING, or until timeout; it returns
// how many still are.
func awaitNoneRunning(ctx context.Context, s *replicaSet, timeout time.Duration, logf logFunc) int {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := -1
	for {
		r := s.pick(ctx, nil, -1)
		if r == nil {
			return last
		}
		n, err := countRunning(ctx, r.client)
		if err == nil {
			if n == 0 {
				return 0
			}
			if n != last {
				logf("%d jobs still RUNNING", n)
			}
			last = n
		}
		if sleep(ctx, time.Second) != nil {
			return last
		}
	}
}

// listJobs pages through the account's jobs (in one state, or all for UNSPECIFIED).
func listJobs(ctx context.Context, client tnassignv1.AssignmentServiceClient, state tnassignv1.JobState) ([]*tnassignv1.AssignmentJob, error) {
	var jobs []*tnassignv1.AssignmentJob
	token := ""
	for {
		resp, err := client.ListAssignmentJobs(ctx, &tnassignv1.ListAssignmentJobsRequest{
			AccountId: accountID, PageSize: 1000, PageToken: token, State: state,
		})
		if err != nil {
			return nil, fmt.Errorf("ListAssignmentJobs: %w", err)
		}
		jobs = append(jobs, resp.GetAssignmentJobs()...)
		if token = resp.GetNextPageToken(); token == "" {
			return jobs, nil
		}
	}
}

// readLedger reads every job of the account with GetAssignmentJob and its outcomes with
// ListNumberOutcomes, a few jobs at a time.
func readLedger(ctx context.Context, client tnassignv1.AssignmentServiceClient) ([]*ledgerJob, error) {
	listed, err := listJobs(ctx, client, tnassignv1.JobState_JOB_STATE_UNSPECIFIED)
	if err != nil {
		return nil, err
	}
	jobs := make([]*ledgerJob, len(listed))
	errs := make([]error, len(listed))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range next {
				jobs[i], errs[i] = readJob(ctx, client, listed[i].GetJobId())
			}
		})
	}
	for i := range listed {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// readJob reads one job and its outcomes. The job is read first: once it is over, its
// outcomes no longer change.
func readJob(ctx context.Context, client tnassignv1.AssignmentServiceClient, id string) (*ledgerJob, error) {
	resp, err := client.GetAssignmentJob(ctx, &tnassignv1.GetAssignmentJobRequest{AccountId: accountID, JobId: id})
	if err != nil {
		return nil, fmt.Errorf("GetAssignmentJob %s: %w", id, err)
	}
	j := resp.GetAssignmentJob()
	lj := &ledgerJob{
		ID: id, State: j.GetState(), FailureReason: j.GetFailureReason(), CreateTime: j.GetCreateTime().AsTime(),
		Counts: counts{
			Received: j.GetReceivedCount(), Rejected: j.GetRejectedCount(), Succeeded: j.GetSucceededCount(),
			Failed: j.GetFailedCount(), NotSubmitted: j.GetNotSubmittedCount(),
		},
	}
	token := ""
	for {
		page, err := client.ListNumberOutcomes(ctx, &tnassignv1.ListNumberOutcomesRequest{
			AccountId: accountID, JobId: id, PageSize: 10000, PageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("ListNumberOutcomes %s: %w", id, err)
		}
		for _, o := range page.GetNumberOutcomes() {
			lj.Outcomes = append(lj.Outcomes, numberOutcome{Number: o.GetTelephoneNumber(), outcome: outcome{
				Result: o.GetResult(), Code: o.GetCode(), Reason: o.GetRejectionReason(), OrderID: o.GetOrderId(),
			}})
		}
		if token = page.GetNextPageToken(); token == "" {
			return lj, nil
		}
	}
}
