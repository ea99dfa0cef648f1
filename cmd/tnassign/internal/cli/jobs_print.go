package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// lowerEnum spells an enum value for people: JOB_STATE_PARTIAL → partial.
func lowerEnum(name, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}

// jobGet prints one job and its orders.
func jobGet(ctx context.Context, c tnassignv1.AssignmentServiceClient, o jobOptions, w io.Writer) (int, error) {
	resp, err := c.GetAssignmentJob(ctx, &tnassignv1.GetAssignmentJobRequest{AccountId: o.account, JobId: o.jobID})
	if err != nil {
		return ExitError, err
	}
	j := resp.GetAssignmentJob()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "job\t%s\n", j.GetJobId())
	fmt.Fprintf(tw, "account\t%s\n", j.GetAccountId())
	fmt.Fprintf(tw, "action\t%s\n", lowerEnum(j.GetAction().String(), "ACTION_"))
	fmt.Fprintf(tw, "state\t%s\n", stateName(j.GetState()))
	if j.GetCustomerOrderId() != "" {
		fmt.Fprintf(tw, "customer order id\t%s\n", j.GetCustomerOrderId())
	}
	if j.GetRequestId() != "" {
		fmt.Fprintf(tw, "request id\t%s\n", j.GetRequestId())
	}
	if j.GetValidateOnly() {
		fmt.Fprintf(tw, "dry run\tyes\n")
	}
	fmt.Fprintf(tw, "received\t%d\n", j.GetReceivedCount())
	fmt.Fprintf(tw, "succeeded\t%d\n", j.GetSucceededCount())
	fmt.Fprintf(tw, "failed\t%d\n", j.GetFailedCount())
	fmt.Fprintf(tw, "rejected\t%d\n", j.GetRejectedCount())
	fmt.Fprintf(tw, "not submitted\t%d\n", j.GetNotSubmittedCount())
	fmt.Fprintf(tw, "created\t%s\n", formatTime(j.GetCreateTime().AsTime()))
	if j.GetFinishTime() != nil {
		fmt.Fprintf(tw, "finished\t%s\n", formatTime(j.GetFinishTime().AsTime()))
	}
	if err := tw.Flush(); err != nil {
		return ExitError, err
	}
	if len(j.GetOrders()) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ORDER ID\tCUSTOMER ORDER ID\tSTATUS\tNUMBERS\tFAILED")
		for _, ord := range j.GetOrders() {
			id := ord.GetOrderId()
			if id == "" {
				id = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", id, ord.GetCustomerOrderId(),
				lowerEnum(ord.GetProcessingStatus().String(), "PROCESSING_STATUS_"), ord.GetTotalQuantity(), ord.GetFailedQuantity())
		}
		if err := tw.Flush(); err != nil {
			return ExitError, err
		}
	}
	return ExitOK, nil
}

func formatTime(t time.Time) string { return t.Local().Format(time.DateTime) }

// jobList prints up to --limit jobs, newest first.
func jobList(ctx context.Context, c tnassignv1.AssignmentServiceClient, o jobOptions, w io.Writer) (int, error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB ID\tSTATE\tACTION\tRECEIVED\tSUCCEEDED\tFAILED\tREJECTED\tNOT SUBMITTED\tCREATED")
	token, listed := "", 0
	for listed < o.limit {
		resp, err := c.ListAssignmentJobs(ctx, &tnassignv1.ListAssignmentJobsRequest{
			AccountId: o.account, State: o.state, PageSize: int32(min(o.limit-listed, 1000)), PageToken: token,
		})
		if err != nil {
			return ExitError, err
		}
		for _, j := range resp.GetAssignmentJobs() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", j.GetJobId(), stateName(j.GetState()),
				lowerEnum(j.GetAction().String(), "ACTION_"), j.GetReceivedCount(), j.GetSucceededCount(), j.GetFailedCount(),
				j.GetRejectedCount(), j.GetNotSubmittedCount(), formatTime(j.GetCreateTime().AsTime()))
			listed++
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	return ExitOK, tw.Flush()
}

// jobOutcomes writes every outcome of a job (with --result, those with one result) as CSV.
func jobOutcomes(ctx context.Context, c tnassignv1.AssignmentServiceClient, o jobOptions, stdout io.Writer) (code int, err error) {
	w := stdout
	var f *os.File
	if o.out != "" && o.out != "-" {
		if f, err = os.Create(o.out); err != nil {
			return ExitError, fmt.Errorf("--out: %w", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				code, err = ExitError, fmt.Errorf("--out: %w", cerr)
			}
		}()
		w = f
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"number", "outcome", "code", "description", "order_id", "customer_order_id"})
	token := ""
	for {
		resp, err := c.ListNumberOutcomes(ctx, &tnassignv1.ListNumberOutcomesRequest{
			AccountId: o.account, JobId: o.jobID, Result: o.result, PageSize: 10000, PageToken: token,
		})
		if err != nil {
			return ExitError, err
		}
		for _, n := range resp.GetNumberOutcomes() {
			codeText := ""
			if n.GetCode() != 0 {
				codeText = strconv.Itoa(int(n.GetCode()))
			}
			desc := n.GetDescription()
			if n.GetResult() == tnassignv1.NumberResult_NUMBER_RESULT_REJECTED {
				codeText = reasonCode(n.GetRejectionReason())
			}
			_ = cw.Write([]string{n.GetTelephoneNumber(), lowerEnum(n.GetResult().String(), "NUMBER_RESULT_"), codeText, desc,
				n.GetOrderId(), n.GetCustomerOrderId()})
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	cw.Flush()
	return ExitOK, cw.Error()
}

// jobWatch prints a job's events as they arrive until it finishes. The exit status says
// whether it succeeded.
func jobWatch(ctx context.Context, c tnassignv1.AssignmentServiceClient, o jobOptions, w io.Writer) (int, error) {
	stream, err := c.WatchAssignmentJob(ctx, &tnassignv1.WatchAssignmentJobRequest{AccountId: o.account, JobId: o.jobID})
	if err != nil {
		return ExitError, err
	}
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return ExitError, errors.New("the watch ended before the job finished; run the command again")
		}
		if err != nil {
			return ExitError, err
		}
		switch e := m.GetEvent().(type) {
		case *tnassignv1.WatchAssignmentJobResponse_Started:
			fmt.Fprintf(w, "started   job %s (%s, account %s)\n", e.Started.GetJobId(),
				lowerEnum(e.Started.GetAction().String(), "ACTION_"), e.Started.GetAccountId())
		case *tnassignv1.WatchAssignmentJobResponse_Rejected:
			fmt.Fprintf(w, "rejected  %d numbers\n", len(e.Rejected.GetNumbers()))
		case *tnassignv1.WatchAssignmentJobResponse_Order:
			failed := 0
			for _, oe := range e.Order.GetErrors() {
				failed += len(oe.GetTelephoneNumbers())
			}
			fmt.Fprintf(w, "order     %s %s %s: %d succeeded, %d failed\n", e.Order.GetCustomerOrderId(), e.Order.GetOrderId(),
				lowerEnum(e.Order.GetProcessingStatus().String(), "PROCESSING_STATUS_"), len(e.Order.GetSucceededNumbers()), failed)
		case *tnassignv1.WatchAssignmentJobResponse_Finished:
			f := e.Finished
			fmt.Fprintf(w, "finished  %s: %d received, %d succeeded, %d failed, %d rejected, %d not submitted\n",
				stateName(f.GetState()), f.GetReceivedCount(), f.GetSucceededCount(), f.GetFailedCount(), f.GetRejectedCount(), f.GetNotSubmittedCount())
			if f.GetState() == tnassignv1.JobState_JOB_STATE_SUCCEEDED {
				return ExitOK, nil
			}
			return ExitIncomplete, nil
		}
	}
}
