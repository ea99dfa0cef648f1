package ledger

// Fence identifies one replica's ownership of one running job: the job, the replica that owns it
// and the lease generation it got the job with. Every write for a running job carries the writer's
// Fence, and a Store refuses it with ErrNotOwner once another ClaimJobs took the job over, so a
// replica that lost a job (it stalled past its lease, or the network cut it off) can never write
// over the work of the job's new owner.
type Fence struct {
	// JobID is the job written to.
	JobID string
	// Owner is the replica id of the writer: CreateJob's j.Owner or the ClaimJobs caller.
	Owner string
	// Generation is the job's lease generation the owner got it with: FirstGeneration for the
	// creator, Job.Generation of ClaimJobs' result for a claimer.
	Generation int64
}

// FirstGeneration is the lease generation of a job CreateJob recorded; each ClaimJobs of the job
// increments it.
const FirstGeneration int64 = 1
