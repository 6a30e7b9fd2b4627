package kafka

// ResetConf clears the process-wide defaults, for tests.
func ResetConf() {
	defaults.mu.Lock()
	defaults.m = nil
	defaults.mu.Unlock()
}
