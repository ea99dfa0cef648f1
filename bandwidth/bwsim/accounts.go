package bwsim

import "sync"

// account is the simulator's state for one Account. Its inventory is fixed; the assigned set changes
// as orders are created.
type account struct {
	id           string
	prefixes     []string
	owned        map[uint64]struct{}
	notInService map[uint64]struct{}
	disabled     bool
	state        *assignments
}

// assignments is the set of an account's assigned numbers. It outlives an account replaced by
// SetAccount, so in-flight orders of the old one and new orders share it safely.
type assignments struct {
	mu  sync.Mutex
	set map[uint64]struct{}
}

// newAccount builds the state of a. Entries of OwnedNumbers and NotInService that are not valid
// numbers are ignored: no order can name them validly.
func newAccount(a Account) *account {
	acc := &account{
		id:           a.ID,
		prefixes:     append([]string(nil), a.OwnedPrefixes...),
		owned:        make(map[uint64]struct{}, len(a.OwnedNumbers)),
		notInService: make(map[uint64]struct{}, len(a.NotInService)),
		disabled:     a.AssignmentDisabled,
		state:        &assignments{set: make(map[uint64]struct{})},
	}
	for _, tn := range a.OwnedNumbers {
		if n, ok := parseTN(tn); ok {
			acc.owned[n] = struct{}{}
		}
	}
	for _, tn := range a.NotInService {
		if n, ok := parseTN(tn); ok {
			acc.notInService[n] = struct{}{}
		}
	}
	return acc
}

// Per-number error codes and their descriptions.
const (
	codeInvalidTN    = 5070
	codeNotOwned     = 5076
	codeNotInService = 5131
)

// numberErrorText is the description Bandwidth uses for each per-number code.
func numberErrorText(code int) string {
	switch code {
	case codeInvalidTN:
		return "Telephone number is invalid."
	case codeNotOwned:
		return "Number does not belong to this account."
	case codeNotInService:
		return "Number assignment is not allowed for numbers that are not in service."
	}
	return "Unknown error."
}

// check returns the per-number error code for tn (0 when it can be acted on) and, when it can,
// applies the action to the assigned set. The caller holds a.state.mu.
func (a *account) check(tn string, assign bool) int {
	n, ok := parseTN(tn)
	if !ok {
		return codeInvalidTN
	}
	if !a.owns(tn, n) {
		return codeNotOwned
	}
	if _, ok := a.notInService[n]; ok {
		return codeNotInService
	}
	if assign {
		a.state.set[n] = struct{}{}
	} else {
		delete(a.state.set, n)
	}
	return 0
}

// owns reports whether the account owns the valid number tn (n is its numeric form).
func (a *account) owns(tn string, n uint64) bool {
	for _, p := range a.prefixes {
		if len(p) <= len(tn) && tn[:len(p)] == p {
			return true
		}
	}
	if _, ok := a.owned[n]; ok {
		return true
	}
	_, ok := a.notInService[n]
	return ok
}

// parseTN returns the numeric form of a valid 10-digit NANP number: area code and exchange start
// with 2-9, and the area code is neither N11 nor has 9 as its middle digit.
func parseTN(tn string) (uint64, bool) {
	if len(tn) != 10 {
		return 0, false
	}
	var n uint64
	for i := 0; i < 10; i++ {
		c := tn[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if tn[0] < '2' || tn[3] < '2' || tn[1] == '9' || (tn[1] == '1' && tn[2] == '1') {
		return 0, false
	}
	return n, true
}

// SetAccount adds a, or replaces the account with the same ID. A replaced account keeps which of its
// numbers are assigned.
func (s *Simulator) SetAccount(a Account) {
	acc := newAccount(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.accounts[a.ID]; ok {
		acc.state = old.state
	}
	s.accounts[a.ID] = acc
}

// Assigned reports whether the account's number tn is assigned: an accepted ASSIGN order
// succeeded for it and no later UNASSIGN did.
func (s *Simulator) Assigned(accountID, tn string) bool {
	acc := s.account(accountID)
	n, ok := parseTN(tn)
	if acc == nil || !ok {
		return false
	}
	acc.state.mu.Lock()
	defer acc.state.mu.Unlock()
	_, ok = acc.state.set[n]
	return ok
}

// account returns the account with the given id, or nil.
func (s *Simulator) account(id string) *account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accounts[id]
}
