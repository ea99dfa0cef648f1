package jobs

import "sync"

// hub tells watchers when a job running in this process records something new. It carries no
// events: a watcher reads them from the ledger (see follow), which the pipeline writes before it
// tells anyone, so a wake-up never announces a record the ledger lacks. Jobs running on other
// replicas are not in the hub; their watchers poll the ledger.
type hub struct {
	mu   sync.Mutex
	jobs map[string]*jobSignal
}

// jobSignal is one job's wake-up channel: closed and replaced on each change, but only once
// someone took it, so a job nobody watches allocates nothing per change.
type jobSignal struct {
	ch    chan struct{}
	taken bool
}

func (h *hub) init() { h.jobs = make(map[string]*jobSignal) }

// register makes jobID's changes observable until unregister.
func (h *hub) register(jobID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.jobs[jobID] = &jobSignal{ch: make(chan struct{})}
}

// unregister wakes jobID's watchers a last time and forgets the job.
func (h *hub) unregister(jobID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if sig := h.jobs[jobID]; sig != nil {
		close(sig.ch)
		delete(h.jobs, jobID)
	}
}

// notify wakes jobID's watchers, if any.
func (h *hub) notify(jobID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if sig := h.jobs[jobID]; sig != nil && sig.taken {
		close(sig.ch)
		sig.ch, sig.taken = make(chan struct{}), false
	}
}

// changed returns a channel closed at jobID's next change, or nil when the job does not run in
// this process. Take it before reading the ledger, so that no change falls between the read and
// the wait.
func (h *hub) changed(jobID string) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	sig := h.jobs[jobID]
	if sig == nil {
		return nil
	}
	sig.taken = true
	return sig.ch
}
