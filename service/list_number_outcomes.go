package service

import (
	"context"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// Page sizes of ListNumberOutcomes, as the API documents them.
const (
	defaultOutcomePageSize = 1000
	maxOutcomePageSize     = 10000
)

// ListNumberOutcomes pages through the per-number outcomes of one job of an allowed account
// known so far (AIP-158), optionally only those with one result.
func (s *Service) ListNumberOutcomes(ctx context.Context, req *tnassignv1.ListNumberOutcomesRequest) (*tnassignv1.ListNumberOutcomesResponse, error) {
	var c violations
	size, problem := pageSize(req.GetPageSize(), defaultOutcomePageSize, maxOutcomePageSize)
	if problem != "" {
		c.add("page_size", problem)
	}
	result, ok := ledgerResult(req.GetResult())
	if !ok {
		c.add("result", "is not a known number result")
	}
	if err := c.err("the request is invalid"); err != nil {
		return nil, statusOf(err, "")
	}
	j, err := s.lookupJob(ctx, req.GetAccountId(), req.GetJobId())
	if err != nil {
		return nil, statusOf(err, "")
	}
	page, err := s.reads.ListOutcomes(ctx, j.ID, ledger.OutcomeQuery{Result: result, PageSize: size, PageToken: req.GetPageToken()})
	if err != nil {
		return nil, statusOf(readFailure("list outcomes", err), "")
	}
	resp := &tnassignv1.ListNumberOutcomesResponse{
		NumberOutcomes: make([]*tnassignv1.NumberOutcome, len(page.Outcomes)),
		NextPageToken:  page.NextPageToken,
	}
	for i, o := range page.Outcomes {
		resp.NumberOutcomes[i] = numberOutcome(o)
	}
	return resp, nil
}
