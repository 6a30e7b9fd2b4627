package kafka

// ResetConf clears the process-wide defaults, for tests.
func ResetConf() {
	defaults.mu.Lock()
	defaults.m = nil
	defaults.mu.Unlock()
}

// SetTransactionHooks sets the functions called once a transaction has
// committed and as a revoke is about to commit, for tests that kill a
// process at those moments.
func SetTransactionHooks(committed, revoking func()) {
	testHookCommitted, testHookRevoking = committed, revoking
}
