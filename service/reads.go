package service

import (
	"context"
	"errors"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// What the job RPCs share: the account check, reading one job and its view, and page sizes.

// maxJobIDLen bounds a job id in a request; ids are UUIDs.
const maxJobIDLen = 64

// checkAccount validates the account of a job request: present, well-formed and allowed.
func (s *Service) checkAccount(accountID string) error {
	var c violations
	if accountID == "" {
		c.add("account_id", "is required")
	} else if problem := jobs.AccountIDProblem(accountID); problem != "" {
		c.add("account_id", problem)
	}
	if err := c.err("the request is invalid"); err != nil {
		return err
	}
	if !s.engine.Serves(accountID) {
		return accountNotAllowed(accountID)
	}
	return nil
}

// lookupJob returns the job jobID of an allowed account. A job of another account is NOT_FOUND,
// exactly like an unknown one.
func (s *Service) lookupJob(ctx context.Context, accountID, jobID string) (ledger.Job, error) {
	if err := s.checkAccount(accountID); err != nil {
		return ledger.Job{}, err
	}
	var c violations
	switch {
	case jobID == "":
		c.add("job_id", "is required")
	case len(jobID) > maxJobIDLen:
		c.add("job_id", "is too long to be a job id")
	}
	if err := c.err("the request is invalid"); err != nil {
		return ledger.Job{}, err
	}
	j, err := s.reads.GetJob(ctx, jobID)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return ledger.Job{}, jobNotFound(accountID, jobID)
	case err != nil:
		s.log.Error("reading a job failed", "job_id", jobID, "err", err)
		return ledger.Job{}, storeFailure("get job", err)
	case j.AccountID != accountID:
		return ledger.Job{}, jobNotFound(accountID, jobID)
	}
	return j, nil
}

// jobResource reads a job's batches (and, while it runs, its rejections so far) and returns its
// API view.
func (s *Service) jobResource(ctx context.Context, j ledger.Job) (*tnassignv1.AssignmentJob, error) {
	batches, err := s.reads.ListBatches(ctx, j.ID)
	if err != nil {
		s.log.Error("reading a job's batches failed", "job_id", j.ID, "err", err)
		return nil, storeFailure("list batches", err)
	}
	rejected := int(j.Counts.Rejected)
	if !j.State.Final() {
		if _, rejected, err = s.reads.Rejections(ctx, j.ID, 0, 0); err != nil {
			return nil, storeFailure("count rejections", err)
		}
	}
	return assignmentJob(j, batches, rejected), nil
}

// pageSize applies AIP-158 to a requested page size: 0 means def, values above limit are
// limit, negative values are a mistake (the returned problem describes it).
func pageSize(requested int32, def, limit int) (int, string) {
	switch {
	case requested < 0:
		return 0, "must not be negative"
	case requested == 0:
		return def, ""
	}
	return min(int(requested), limit), ""
}
