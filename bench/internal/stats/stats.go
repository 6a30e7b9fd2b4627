// Package stats holds the summary statistics the benchmark tools share.
package stats

import "slices"

// Median returns the median of xs, 0 if xs is empty. It does not change
// xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
