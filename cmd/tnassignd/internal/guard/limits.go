package guard

import "sync"

// Defaults of the limits: what tnassignd's flags start from. The zero value
// of Limits is unlimited, not these.
const (
	DefaultMaxNumbersPerJob = 1_000_000
	DefaultMaxJobsPerCaller = 16
	// DefaultMaxWatchesPerCaller lets a caller watch each of its
	// DefaultMaxJobsPerCaller jobs from a few places at once.
	DefaultMaxWatchesPerCaller = 64
)

// Limits are the per-job and per-caller caps a Guard enforces.
type Limits struct {
	// MaxNumbersPerJob caps the numbers one job (a stream, or one
	// CreateAssignmentJob request) may carry; 0 is unlimited.
	MaxNumbersPerJob int
	// MaxJobsPerCaller caps the jobs one caller (token, or IP address
	// without authentication) runs at once; 0 is unlimited.
	MaxJobsPerCaller int
	// MaxWatchesPerCaller caps the WatchAssignmentJob calls one caller has
	// open at once: a watch needs only `read` and may idle for as long as
	// its job runs. 0 is unlimited.
	MaxWatchesPerCaller int
}

// jobSlots counts the calls of one kind (jobs, or watches) each caller
// has open at once.
type jobSlots struct {
	limit int // 0: unlimited
	mu    sync.Mutex
	held  map[string]int
}

func newJobSlots(limit int) *jobSlots { return &jobSlots{limit: limit, held: map[string]int{}} }

// acquire takes a slot for the caller; ok is false when the caller already
// holds limit slots. release gives the slot back; call it once.
func (s *jobSlots) acquire(caller string) (release func(), ok bool) {
	if s.limit <= 0 {
		return func() {}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[caller] >= s.limit {
		return nil, false
	}
	s.held[caller]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.held[caller]--; s.held[caller] <= 0 {
				delete(s.held, caller)
			}
		})
	}, true
}

// inUse returns the slots the caller holds.
func (s *jobSlots) inUse(caller string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[caller]
}
