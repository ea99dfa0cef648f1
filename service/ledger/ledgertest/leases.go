package ledgertest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

var leaseTests = map[string]func(t *testing.T, s ledger.Store){
	"Claim":           testClaim,
	"ConcurrentClaim": testConcurrentClaim,
	"Renew":           testRenew,
}

// expire makes the leases of owner's running jobs end at once.
func expire(t *testing.T, s ledger.Store, owner string) {
	t.Helper()
	must(t, s.RenewLeases(ctx(t), owner, time.Millisecond))
	time.Sleep(20 * time.Millisecond)
}

func testClaim(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1") // owned by replica-a for DefaultLease
	if js, err := s.ClaimJobs(ctx(t), "replica-b", time.Minute, 10); err != nil || len(js) != 0 {
		t.Fatalf("ClaimJobs of a leased job = %+v, %v", js, err)
	}
	createJob(t, s, "job-2")
	finish(t, s, "job-2", ledger.StateSucceeded)
	expire(t, s, "replica-a")
	before := time.Now()
	js, err := s.ClaimJobs(ctx(t), "replica-b", time.Minute, 10)
	must(t, err)
	if len(js) != 1 || js[0].ID != "job-1" || js[0].Owner != "replica-b" || !within(js[0].LeaseUntil, before.Add(time.Minute), time.Now().Add(time.Minute)) {
		t.Fatalf("ClaimJobs = %+v, want job-1 owned by replica-b for a minute", js)
	}
	if j := getJob(t, s, "job-1"); j.Owner != "replica-b" || !j.LeaseUntil.Equal(js[0].LeaseUntil) {
		t.Errorf("claimed job as recorded: owner %q lease %v", j.Owner, j.LeaseUntil)
	}
	if js, err := s.ClaimJobs(ctx(t), "replica-c", time.Minute, 10); err != nil || len(js) != 0 {
		t.Errorf("ClaimJobs of a freshly claimed job = %+v, %v", js, err)
	}
	// The old owner's renewal does not take the job back.
	must(t, s.RenewLeases(ctx(t), "replica-a", time.Hour))
	if j := getJob(t, s, "job-1"); j.Owner != "replica-b" {
		t.Errorf("owner %q after the old owner renewed", j.Owner)
	}
	expire(t, s, "replica-b")
	if js, err := s.ClaimJobs(ctx(t), "replica-c", time.Minute, 0); err != nil || len(js) != 0 {
		t.Errorf("ClaimJobs with limit 0 = %+v, %v", js, err)
	}
	if js, err := s.ClaimJobs(ctx(t), "replica-c", time.Minute, 1); err != nil || len(js) != 1 {
		t.Errorf("ClaimJobs of an expired claim = %+v, %v", js, err)
	}
}

func testConcurrentClaim(t *testing.T, s ledger.Store) {
	const jobs, claimers = 24, 4
	for i := range jobs {
		must(t, s.CreateJob(ctx(t), ledger.Job{ID: fmt.Sprintf("job-%02d", i), AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "dead"}))
	}
	expire(t, s, "dead")
	var (
		mu      sync.Mutex
		claimed = map[string]string{}
		wg      sync.WaitGroup
	)
	for c := range claimers {
		owner := fmt.Sprint("replica-", c)
		wg.Go(func() {
			for {
				js, err := s.ClaimJobs(ctx(t), owner, time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(js) > 3 {
					t.Errorf("ClaimJobs returned %d jobs, limit 3", len(js))
				}
				if len(js) == 0 {
					return
				}
				mu.Lock()
				for _, j := range js {
					if prev, ok := claimed[j.ID]; ok {
						t.Errorf("%s claimed by %s and %s", j.ID, prev, owner)
					}
					claimed[j.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(claimed), jobs)
	}
	for id, owner := range claimed {
		if j := getJob(t, s, id); j.Owner != owner {
			t.Errorf("%s recorded owner %q, claimed by %q", id, j.Owner, owner)
		}
	}
}

func testRenew(t *testing.T, s ledger.Store) {
	for _, id := range []string{"a-1", "a-2", "done"} {
		createJob(t, s, id)
	}
	finish(t, s, "done", ledger.StateFailed)
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "b-1", AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-b"}))
	leaseB := getJob(t, s, "b-1").LeaseUntil
	before := time.Now()
	must(t, s.RenewLeases(ctx(t), "replica-a", time.Hour))
	for _, id := range []string{"a-1", "a-2"} {
		if j := getJob(t, s, id); !within(j.LeaseUntil, before.Add(time.Hour), time.Now().Add(time.Hour)) {
			t.Errorf("%s lease until %v after renewing for an hour", id, j.LeaseUntil)
		}
	}
	if j := getJob(t, s, "b-1"); !j.LeaseUntil.Equal(leaseB) {
		t.Errorf("another owner's lease moved from %v to %v", leaseB, j.LeaseUntil)
	}
	expire(t, s, "replica-a")
	js, err := s.ClaimJobs(ctx(t), "replica-c", time.Minute, 10)
	must(t, err)
	ids := make([]string, len(js))
	for i, j := range js {
		ids[i] = j.ID
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a-1", "a-2"}) {
		t.Errorf("claimed %v, want the expired running jobs a-1 and a-2", ids)
	}
}
