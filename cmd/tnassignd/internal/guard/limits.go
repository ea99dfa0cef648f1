package guard

import "sync"

// jobSlots counts the jobs each caller runs at once.
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
