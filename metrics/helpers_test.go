package metrics_test

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// samples gathers reg and returns each sample's value by its name and
// labels, written as name{k=v,...} with the labels sorted; a histogram
// gives its _count and _sum.
func samples(t testing.TB, reg prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gathering: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := func(suffix string) string { return mf.GetName() + suffix + labels(m) }
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				out[key("")] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key("")] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key("_count")] = float64(m.GetHistogram().GetSampleCount())
				out[key("_sum")] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	var ls []string
	for _, l := range m.GetLabel() {
		ls = append(ls, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(ls)
	return "{" + strings.Join(ls, ",") + "}"
}

// sum adds the values of the samples of metric name whose labels include
// every one of with ("k=v").
func sum(s map[string]float64, name string, with ...string) (total float64, n int) {
	for k, v := range s {
		i := strings.IndexByte(k, '{')
		if k[:i] != name {
			continue
		}
		ok := true
		for _, w := range with {
			ok = ok && (strings.Contains(k, "{"+w+",") || strings.Contains(k, ","+w+",") ||
				strings.Contains(k, ","+w+"}") || strings.Contains(k, "{"+w+"}"))
		}
		if ok {
			total += v
			n++
		}
	}
	return total, n
}

// get fetches url and returns its status and body.
func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}
