package main

import (
	"math"
	"strings"
	"testing"
)

// TestReport prints the tables of every suite from made-up rounds, with
// figures that meet every target but two: the transaction's and Count's
// against goka.
func TestReport(t *testing.T) {
	chosen := suites()
	rounds := make([]round, 3)
	for i := range rounds {
		r := round{}
		for _, s := range chosen {
			for _, name := range s.rows {
				r[name] = figure{nsPerOp: 100, perSec: 1e7, allocsPerOp: math.NaN()}
			}
		}
		// The pipeline beats its peers and allocates nothing; the rest run
		// as fast as their baselines, but a transaction costs double.
		r["Pipeline/slipstream"] = figure{nsPerOp: 10, perSec: 1e8, allocsPerOp: 0}
		r["Transaction/transaction"] = figure{nsPerOp: 200, perSec: 5e6, allocsPerOp: math.NaN()}
		rounds[i] = r
	}
	var out strings.Builder
	if report(&out, chosen, rounds) {
		t.Error("report says every target was met; the transaction ratio and Count's against goka were not")
	}
	got := out.String()
	for _, want := range []string{
		"### Stream pipelines", "### Cache (kv) against raw grocksdb, interleaved", "### Kafka Topic",
		"| Pipeline/slipstream | 10.0 | 100M | 0.0000 | 0% |",
		"| CacheGet/grocksdb | 100.0 | 10M | — | 0% |",
		"| Cache.Set throughput slipstream/grocksdb (ops/s) | 1.00× | ≥ 0.9× | yes |",
		"| Set in a Transaction / bare Set (ns/op) | 2.00× | ≤ 1.3× | **no** |",
		"| Produce throughput slipstream/confluent (msgs/s) | 1.00× | ≥ 0.9× | yes |",
		"| TopicToTopic throughput (msgs/s) | 10M | — | — |",
		"### State (package state)",
		"| Count/goka | 100.0 | 10M | — | 0% |",
		"| Count throughput slipstream/goka (msgs/s) | 1.00× | ≥ 2× | **no** |",
		"| Restore throughput slipstream/raw (records/s) | 1.00× | ≥ 0.8× | yes |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

// TestRowsHaveFigures checks that every row of every suite is a figure some
// benchmark of the suite makes.
func TestRowsHaveFigures(t *testing.T) {
	for _, s := range suites() {
		made := map[string]bool{}
		for _, b := range s.benches {
			for name := range b.figures(b.name, testingResult()) {
				made[name] = true
			}
		}
		for _, row := range s.rows {
			if !made[row] {
				t.Errorf("suite %s: no benchmark makes row %s", s.name, row)
			}
		}
	}
}

func testingResult() testing.BenchmarkResult {
	return testing.BenchmarkResult{N: 1, T: 1, Extra: map[string]float64{}}
}
