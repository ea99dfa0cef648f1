package jobs

// Observer receives engine events for metrics; nil means none. Methods must be cheap and safe
// for concurrent use.
type Observer interface {
	// JobStarted is called when a job starts; action is "assign" or "unassign".
	JobStarted(action string)
	// JobFinished is called when a job ends in this process; state is "succeeded", "partial",
	// "failed" or "aborted", or "handed_over" for a job left running in the ledger for another
	// replica or the next start to finish.
	JobFinished(action string, state string)
	// NumbersSettled counts n numbers reaching an outcome: "succeeded", "failed", "rejected" or
	// "not_submitted".
	NumbersSettled(action string, outcome string, n int)
	// OrderSettled is called when a Bandwidth order settles; status is "complete", "partial" or
	// "failed".
	OrderSettled(action string, status string)
	// OrdersInFlight adds delta to the number of orders in flight.
	OrdersInFlight(delta int)
}

// observer makes a nil Observer a no-op.
type observer struct{ o Observer }

func (o observer) jobStarted(action string) {
	if o.o != nil {
		o.o.JobStarted(action)
	}
}

func (o observer) jobFinished(action, state string) {
	if o.o != nil {
		o.o.JobFinished(action, state)
	}
}

func (o observer) numbersSettled(action, outcome string, n int) {
	if o.o != nil && n > 0 {
		o.o.NumbersSettled(action, outcome, n)
	}
}

func (o observer) orderSettled(action, status string) {
	if o.o != nil {
		o.o.OrderSettled(action, status)
	}
}

func (o observer) ordersInFlight(delta int) {
	if o.o != nil {
		o.o.OrdersInFlight(delta)
	}
}
