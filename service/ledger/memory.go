package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is a Store that keeps everything in process memory until the process exits. It serves
// tests and simulator runs. It is safe for concurrent use. Canonical numbers are kept as integers
// (about 10 bytes per number with its outcome), so a job of millions of numbers stays affordable.
type Memory struct {
	mu   sync.Mutex
	jobs map[string]*memJob
	now  func() time.Time
}

var _ Store = (*Memory)(nil)

type memJob struct {
	job          Job
	batches      map[int]*memBatch
	rejections   []Rejection
	notSubmitted numberList
}

type memBatch struct {
	customerOrderID string
	orderID         string
	status          string
	numbers         numberList
	// unsent marks a batch never created at Bandwidth: its numbers are in the job's notSubmitted.
	unsent bool
	// result holds one entry per number: 0 unknown, 1 succeeded, 2+k failed with errors[k].
	result []uint16
	errors []codeDesc
}

type codeDesc struct {
	code int
	desc string
}

// NewMemory returns an empty in-memory Store.
func NewMemory() *Memory {
	return &Memory{jobs: make(map[string]*memJob), now: time.Now}
}

// CreateJob implements Store.
func (m *Memory) CreateJob(ctx context.Context, j Job) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ledger: create job: %w", err)
	}
	if j.ID == "" {
		return fmt.Errorf("ledger: create job: empty id")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.jobs[j.ID]; ok {
		return fmt.Errorf("ledger: create job %s: %w", j.ID, ErrExists)
	}
	now := m.now()
	j.State, j.Counts, j.Failure, j.CreatedAt, j.UpdatedAt = StateRunning, Counts{}, "", now, now
	j.ID, j.AccountID, j.CustomerOrderID, j.RequestID = strings.Clone(j.ID), strings.Clone(j.AccountID),
		strings.Clone(j.CustomerOrderID), strings.Clone(j.RequestID)
	m.jobs[j.ID] = &memJob{job: j, batches: make(map[int]*memBatch)}
	return nil
}

// runningJob returns the unfinished job id and touches its UpdatedAt; the caller holds m.mu.
func (m *Memory) runningJob(ctx context.Context, op, id string) (*memJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ledger: %s: %w", op, err)
	}
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("ledger: %s: job %s: %w", op, id, ErrNotFound)
	}
	if j.job.State.Final() {
		return nil, fmt.Errorf("ledger: %s: job %s: %w", op, id, ErrJobFinished)
	}
	j.job.UpdatedAt = m.now()
	return j, nil
}

// RecordBatch implements Store.
func (m *Memory) RecordBatch(ctx context.Context, jobID string, b Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record batch", jobID)
	if err != nil {
		return err
	}
	if _, ok := j.batches[b.Seq]; ok {
		return fmt.Errorf("ledger: record batch %d of job %s: %w", b.Seq, jobID, ErrExists)
	}
	j.batches[b.Seq] = &memBatch{
		customerOrderID: strings.Clone(b.CustomerOrderID),
		numbers:         packNumbers(b.Numbers),
		result:          make([]uint16, len(b.Numbers)),
	}
	return nil
}

// RecordBatchUnsent implements Store.
func (m *Memory) RecordBatchUnsent(ctx context.Context, jobID string, seq int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record batch unsent", jobID)
	if err != nil {
		return err
	}
	b, ok := j.batches[seq]
	if !ok {
		return fmt.Errorf("ledger: record batch unsent: batch %d of job %s: %w", seq, jobID, ErrNotFound)
	}
	b.unsent = true
	return nil
}

// RecordOrderID implements Store.
func (m *Memory) RecordOrderID(ctx context.Context, jobID string, seq int, orderID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record order id", jobID)
	if err != nil {
		return err
	}
	b, ok := j.batches[seq]
	if !ok {
		return fmt.Errorf("ledger: record order id: batch %d of job %s: %w", seq, jobID, ErrNotFound)
	}
	b.orderID = strings.Clone(orderID)
	return nil
}

// RecordSettlement implements Store.
func (m *Memory) RecordSettlement(ctx context.Context, jobID string, seq int, s Settlement) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record settlement", jobID)
	if err != nil {
		return err
	}
	b, ok := j.batches[seq]
	if !ok {
		return fmt.Errorf("ledger: record settlement: batch %d of job %s: %w", seq, jobID, ErrNotFound)
	}
	if s.OrderID != "" {
		b.orderID = strings.Clone(s.OrderID)
	}
	b.status = strings.Clone(s.Status)
	find := b.numbers.finder()
	mark := func(nums []string, v uint16) {
		for _, n := range nums {
			if i, ok := find(n); ok {
				b.result[i] = v
			}
		}
	}
	mark(s.Succeeded, 1)
	b.errors = b.errors[:0]
	for k, e := range s.Errors {
		b.errors = append(b.errors, codeDesc{e.Code, strings.Clone(e.Description)})
		mark(e.Numbers, uint16(2+k))
	}
	return nil
}

// RecordRejections implements Store.
func (m *Memory) RecordRejections(ctx context.Context, jobID string, rs []Rejection) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record rejections", jobID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		j.rejections = append(j.rejections, Rejection{Number: strings.Clone(r.Number), Reason: strings.Clone(r.Reason), Detail: strings.Clone(r.Detail)})
	}
	return nil
}

// FinishJob implements Store.
func (m *Memory) FinishJob(ctx context.Context, jobID string, r Result) error {
	if !r.State.Final() {
		return fmt.Errorf("ledger: finish job %s: state %q is not final", jobID, r.State)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "finish job", jobID)
	if err != nil {
		return err
	}
	j.job.State, j.job.Counts, j.job.Failure = r.State, r.Counts, strings.Clone(r.Failure)
	j.notSubmitted = packNumbers(r.NotSubmitted)
	return nil
}

// GetJob implements Store.
func (m *Memory) GetJob(ctx context.Context, jobID string) (Job, error) {
	if err := ctx.Err(); err != nil {
		return Job{}, fmt.Errorf("ledger: get job: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[jobID]
	if !ok {
		return Job{}, fmt.Errorf("ledger: get job %s: %w", jobID, ErrNotFound)
	}
	return j.job, nil
}

// Ping implements Store; an in-memory Store is always reachable.
func (m *Memory) Ping(ctx context.Context) error { return ctx.Err() }

// BatchRecord is a recorded batch as Memory.Batches returns it.
type BatchRecord struct {
	Seq             int
	CustomerOrderID string
	OrderID         string
	// Status is the final ProcessingStatus; empty while the batch is unsettled.
	Status string
	// Unsent marks a batch that was never created at Bandwidth.
	Unsent  bool
	Numbers []string
}

// Batches returns the job's recorded batches in Seq order, for tests and inspection.
func (m *Memory) Batches(jobID string) ([]BatchRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[jobID]
	if !ok {
		return nil, fmt.Errorf("ledger: batches of job %s: %w", jobID, ErrNotFound)
	}
	out := make([]BatchRecord, 0, len(j.batches))
	for seq, b := range j.batches {
		out = append(out, BatchRecord{Seq: seq, CustomerOrderID: b.customerOrderID, OrderID: b.orderID,
			Status: b.status, Unsent: b.unsent, Numbers: b.numbers.strings()})
	}
	slices.SortFunc(out, func(a, b BatchRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// The results an Outcome reports.
const (
	ResultSucceeded    = "succeeded"
	ResultFailed       = "failed"
	ResultRejected     = "rejected"
	ResultNotSubmitted = "not_submitted"
	// ResultUnknown marks a number of a batch that was recorded but has not settled.
	ResultUnknown = "unknown"
)

// Outcome is one number's recorded outcome, as Memory.Outcomes returns it.
type Outcome struct {
	Number string
	// Result is one of the Result* constants.
	Result string
	// Seq is the batch of a submitted number; 0 otherwise.
	Seq int
	// Code and Description describe a failure (Code 0 for the service's own) or, for a
	// rejection, its reason and detail (Code 0).
	Code        int
	Description string
}

// Outcomes returns every number the job recorded: numbers of sent batches in Seq order, then
// rejections, then not-submitted numbers. It is meant for tests and inspection.
func (m *Memory) Outcomes(jobID string) ([]Outcome, error) {
	batches, err := m.Batches(jobID)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j := m.jobs[jobID]
	var out []Outcome
	for _, br := range batches {
		b := j.batches[br.Seq]
		if b.unsent {
			continue // its numbers are among the not-submitted ones
		}
		for i, n := range br.Numbers {
			o := Outcome{Number: n, Seq: br.Seq}
			switch r := b.result[i]; {
			case r == 0:
				o.Result = ResultUnknown
			case r == 1:
				o.Result = ResultSucceeded
			default:
				o.Result, o.Code, o.Description = ResultFailed, b.errors[r-2].code, b.errors[r-2].desc
			}
			out = append(out, o)
		}
	}
	for _, r := range j.rejections {
		out = append(out, Outcome{Number: r.Number, Result: ResultRejected, Description: r.Reason + ": " + r.Detail})
	}
	for _, n := range j.notSubmitted.strings() {
		out = append(out, Outcome{Number: n, Result: ResultNotSubmitted})
	}
	return out, nil
}

// numberList stores canonical 10-digit numbers as integers and falls back to text for anything
// else.
type numberList struct {
	packed []uint64
	text   []string
}

func packNumbers(ns []string) numberList {
	packed := make([]uint64, 0, len(ns))
	for _, n := range ns {
		if len(n) != 10 {
			return numberList{text: cloneStrings(ns)}
		}
		v, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return numberList{text: cloneStrings(ns)}
		}
		packed = append(packed, v)
	}
	return numberList{packed: packed}
}

// finder returns a function that finds a number's position in l.
func (l numberList) finder() func(string) (int, bool) {
	if l.text != nil {
		index := make(map[string]int, len(l.text))
		for i, n := range l.text {
			index[n] = i
		}
		return func(n string) (int, bool) { i, ok := index[n]; return i, ok }
	}
	index := make(map[uint64]int, len(l.packed))
	for i, v := range l.packed {
		index[v] = i
	}
	return func(n string) (int, bool) {
		if len(n) != 10 {
			return 0, false
		}
		v, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return 0, false
		}
		i, ok := index[v]
		return i, ok
	}
}

// cloneStrings copies ns and its strings, so that no caller's buffer stays reachable.
func cloneStrings(ns []string) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strings.Clone(n)
	}
	return out
}

func (l numberList) len() int {
	if l.text != nil {
		return len(l.text)
	}
	return len(l.packed)
}

func (l numberList) at(i int) string {
	if l.text != nil {
		return l.text[i]
	}
	var buf [10]byte
	v := l.packed[i]
	for k := 9; k >= 0; k-- {
		buf[k] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[:])
}

func (l numberList) strings() []string {
	out := make([]string, l.len())
	for i := range out {
		out[i] = l.at(i)
	}
	return out
}
