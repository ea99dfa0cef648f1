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
	"RenewMany":       testRenewMany,
	"Release":         testRelease,
}

// expire makes the leases of owner's running jobs end at once.
func expire(t *testing.T, s ledger.Store, owner string) {
	t.Helper()
	must(t, s.ReleaseLeases(ctx(t), owner))
	time.Sleep(5 * time.Millisecond) // a database clock may be coarser than ours
}

// renew renews owner's leases of the jobs ids for lease and returns the renewed job ids, sorted.
func renew(t *testing.T, s ledger.Store, owner string, lease time.Duration, ids ...string) []string {
	t.Helper()
	got, err := s.RenewLeases(ctx(t), owner, ids, lease)
	must(t, err)
	slices.Sort(got)
	return got
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
	// The old owner's renewal does not take the job back, and tells it the job is gone.
	if ids := renew(t, s, "replica-a", time.Hour, "job-1"); len(ids) != 0 {
		t.Errorf("the old owner renewed %v after replica-b claimed its job", ids)
	}
	if j := getJob(t, s, "job-1"); j.Owner != "replica-b" {
		t.Errorf("owner %q after the old owner renewed", j.Owner)
	}
	equal(t, "the new owner's renewal", renew(t, s, "replica-b", time.Minute, "job-1"), []string{"job-1"})
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
		must(t, s.CreateJob(ctx(t), ledger.Job{ID: fmt.Sprintf("job-%02d", i), AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "dead"}, ledger.DefaultLease))
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
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "b-1", AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-b"}, ledger.DefaultLease))
	leaseB := getJob(t, s, "b-1").LeaseUntil
	before := time.Now()
	equal(t, "renewed", renew(t, s, "replica-a", time.Hour, "a-1", "a-2", "done", "b-1", "unknown", "a-1"), []string{"a-1", "a-2"})
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
	fences := map[string]ledger.Fence{}
	for i, j := range js {
		ids[i] = j.ID
		fences[j.ID] = ledger.Fence{JobID: j.ID, Owner: j.Owner, Generation: j.Generation}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"a-1", "a-2"}) {
		t.Fatalf("claimed %v, want the expired running jobs a-1 and a-2", ids)
	}
	if ids := renew(t, s, "replica-a", time.Hour, "a-1", "a-2"); len(ids) != 0 {
		t.Errorf("replica-a renewed %v after losing its jobs", ids)
	}
	must(t, s.FinishJob(ctx(t), fences["a-1"], ledger.Result{State: ledger.StateSucceeded}))
	equal(t, "renewed after a-1 finished", renew(t, s, "replica-c", time.Minute, "a-1", "a-2"), []string{"a-2"})
	if ids := renew(t, s, "replica-c", time.Minute); len(ids) != 0 {
		t.Errorf("renewing no job renewed %v", ids)
	}
	// A job not named keeps its lease: it ends, and the job can be claimed.
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "c-2", AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-c"}, ledger.DefaultLease))
	equal(t, "renewed for a millisecond", renew(t, s, "replica-c", time.Millisecond, "c-2"), []string{"c-2"})
	renew(t, s, "replica-c", time.Hour, "a-2")
	time.Sleep(5 * time.Millisecond)
	js, err = s.ClaimJobs(ctx(t), "replica-d", time.Minute, 10)
	must(t, err)
	if len(js) != 1 || js[0].ID != "c-2" {
		t.Errorf("claimed %+v, want c-2 only", js)
	}
}

// testRenewMany renews more jobs at once than one statement may name.
func testRenewMany(t *testing.T, s ledger.Store) {
	const n = 1200
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("job-%04d", i)
		must(t, s.CreateJob(ctx(t), ledger.Job{ID: ids[i], AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-a"}, ledger.DefaultLease))
	}
	finish(t, s, ids[7], ledger.StateSucceeded)
	want := slices.Concat(ids[:7], ids[8:])
	equal(t, "renewed", renew(t, s, "replica-a", time.Hour, ids...), want)
	if j := getJob(t, s, ids[n-1]); time.Until(j.LeaseUntil) < 50*time.Minute {
		t.Errorf("last job's lease until %v after renewing for an hour", j.LeaseUntil)
	}
}

// testRelease: ReleaseLeases ends every running lease of the owner at once, and only those.
func testRelease(t *testing.T, s ledger.Store) {
	createJob(t, s, "a-1")
	createJob(t, s, "a-2")
	finish(t, s, "a-2", ledger.StateSucceeded)
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "b-1", AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-b"}, ledger.DefaultLease))
	must(t, s.ReleaseLeases(ctx(t), "replica-a"))
	must(t, s.ReleaseLeases(ctx(t), "nobody"))
	time.Sleep(5 * time.Millisecond)
	js, err := s.ClaimJobs(ctx(t), "replica-c", time.Minute, 10)
	must(t, err)
	if len(js) != 1 || js[0].ID != "a-1" || js[0].Owner != "replica-c" {
		t.Errorf("claimed %+v after replica-a released its leases, want a-1", js)
	}
}
