package readme

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A harness completes a README snippet into a function that compiles: the
// snippet is a function body, with what it uses but does not make
// declared before it, and the values it hands to the rest of a program
// used after it. A snippet must otherwise be right as it stands: an error
// it assigns and never checks fails the test, as it would fail a program.
type harness struct {
	before string // declarations the snippet uses
	after  string // uses of what the snippet declares for the rest of a program
}

// harnesses names each snippet of the README by the marker before it,
// <!-- snippet: name -->.
var harnesses = map[string]harness{
	"handle": {
		before: `ctx := context.Background()
greet := func(s string) string { return "Hello " + s + "!" }`,
		after: `_ = err`,
	},
	"yield": {before: `app := stream.NewApp()`},
	"proxy": {before: `app := stream.NewApp()
messages := source.Values("🏆", "📞")`},
	"topic": {before: `ctx := context.Background()
addr := "localhost:9092"`},
	"conf": {},
	"codec": {before: `ctx := context.Background()
conf := kafka.ConfigMap{}`},
	"registry": {
		before: `ctx := context.Background()
conf := kafka.ConfigMap{}
var user, password, schema string
type Order struct{}`,
		after: `_, _ = topic, err`,
	},
	"cache": {},
	"transaction": {
		before: `ctx := context.Background()
var cache *kv.Cache[string, string]`,
		after: `_ = err`,
	},
	"join": {
		before: `var byTime *kv.Cache[time.Time, string]
var activity struct{ Time time.Time }`,
		after: `_, _ = w, err`,
	},
	"checkpoint": {
		before: `ctx := context.Background()
app := stream.NewApp()
type Weather struct {
	Time  time.Time
	Emoji string
}
var activities stream.Stream[kafka.Message[string, string]]
var weather stream.Stream[Weather]
var checkpoints *kv.Cache[string, []byte]
var weatherByTime *kv.Cache[time.Time, string]
var topic *kafka.Topic[string, string]
var a struct{ Time time.Time }
var msg kafka.Message[string, string]`,
		after: `_, _, _ = downtime, down, err`,
	},
	"state": {before: `ctx := context.Background()
app := stream.NewApp()
var input *kafka.Topic[string, string]`},
	"exactlyonce": {before: `ctx := context.Background()
app := stream.NewApp()
var conf kafka.ConfigMap`},
	"parallel": {before: `app := stream.NewApp()
var input *kafka.Topic[string, string]
var counts *state.Table[string, int]
var count func(context.Context, kafka.Message[string, string]) (state.Change[string, int], error)`},
	"onerror": {before: `app := stream.NewApp()
var orders, dlq *kafka.Topic[string, string]
var lookup func(context.Context, kafka.Message[string, string]) (string, error)
var out stream.Sink[string]`},
	"metrics": {before: `ctx := context.Background()`},
	"windows": {
		before: `ctx := context.Background()
app := stream.NewApp()
var topic *kafka.Topic[string, string]
var lateSink stream.Sink[kafka.Message[string, string]]
var results stream.Sink[window.Result[string, int64]]`,
		after: `_ = err`,
	},
	"streamjoin": {
		before: `ctx := context.Background()
app := stream.NewApp()
var impressions, clicks *kafka.Topic[string, string]
var pairs stream.Sink[window.Pair[string, string, string]]`,
	},
	"combinators": {
		before: `ctx := context.Background()
var numbers, ids stream.Stream[int]
var prices stream.Stream[float64]
var lines, clicks, views, events, feed stream.Stream[string]
var topic *kafka.Topic[string, string]
var fetch func(context.Context, int) (string, error)`,
		after: `_, _, _, _, _, _, _, _, _ = pairs, words, pages, both, batches, first, branches, ahead, got
_ = err`,
	},
}

// imports are what the snippets may use; each file uses every one, so that
// a snippet need not.
var imports = []string{
	"context", "fmt", "iter", "log", "net/http", "strings", "time",
	"github.com/prometheus/client_golang/prometheus",
	"github.com/slipstream-go/slipstream/ckpt",
	"github.com/slipstream-go/slipstream/codec",
	"github.com/slipstream-go/slipstream/codec/registry",
	"github.com/slipstream-go/slipstream/kafka",
	"github.com/slipstream-go/slipstream/kv",
	"github.com/slipstream-go/slipstream/metrics",
	"github.com/slipstream-go/slipstream/sink",
	"github.com/slipstream-go/slipstream/source",
	"github.com/slipstream-go/slipstream/state",
	"github.com/slipstream-go/slipstream/stream",
	"github.com/slipstream-go/slipstream/stream/onerror",
	"github.com/slipstream-go/slipstream/window",
	"github.com/twmb/franz-go/pkg/sr",
}

// A snippet is a Go block of the README.
type snippet struct {
	name string
	line int // of its first line of code
	code string
}

var marker = regexp.MustCompile(`^<!-- snippet: ([\w-]+) -->$`)

// snippets reads the Go blocks of the README at path, each with the name
// of the marker on the line before it.
func snippets(path string) ([]snippet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		out  []snippet
		cur  *snippet
		name string // of the marker just read
		n    int
	)
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		n++
		line := lines.Text()
		switch {
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		case line == "```go":
			if name == "" {
				return nil, fmt.Errorf("%s:%d: a Go block without a <!-- snippet: name --> marker on the line before", path, n)
			}
			cur = &snippet{name: name, line: n + 1}
		}
		name = ""
		if m := marker.FindStringSubmatch(line); m != nil {
			name = m[1]
		}
	}
	return out, lines.Err()
}

// source returns the Go file that compiles s as the body of a function,
// with line directives that put the compiler's errors on the README's
// lines.
func source(s snippet, h harness, readme string) string {
	var b strings.Builder
	b.WriteString("package snippets\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&b, "\t%q\n", imp)
	}
	b.WriteString(")\n\nvar (\n")
	for _, imp := range imports {
		fmt.Fprintf(&b, "\t_ = %s.%s\n", filepath.Base(imp), anyName[filepath.Base(imp)])
	}
	fmt.Fprintf(&b, ")\n\nfunc snippet_%s() error {\n%s\n", strings.ReplaceAll(s.name, "-", "_"), h.before)
	fmt.Fprintf(&b, "//line %s:%d\n%s", readme, s.line, s.code)
	fmt.Fprintf(&b, "//line harness.go:1\n%s\nreturn nil\n}\n", h.after)
	return b.String()
}

// anyName is an exported name of each imported package.
var anyName = map[string]string{
	"context": "Background", "fmt": "Sprint", "iter": "Pull[int]", "log": "Print", "strings": "Cut", "time": "Now",
	"ckpt": "New[int, int]", "codec": "String", "kafka": "Conf", "kv": "Open[int, int]", "sink": "Discard[int]",
	"source": "Values[int]", "state": "ErrNotHeld", "stream": "NewApp", "onerror": "Skip[int, int]",
	"registry": "TopicValue", "sr": "NewClient", "window": "Tumbling", "http": "StatusOK", "prometheus": "NewRegistry", "metrics": "With",
}

// TestREADMESnippetsCompile builds every Go snippet of the README.
func TestREADMESnippetsCompile(t *testing.T) {
	readme, err := filepath.Abs("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	all, err := snippets(readme)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no Go snippets found in the README")
	}
	dir := filepath.Join("testdata", "snippets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll("testdata") })
	var seen []string
	for _, s := range all {
		h, ok := harnesses[s.name]
		if !ok {
			t.Errorf("README.md:%d: snippet %q has no harness in this test", s.line, s.name)
			continue
		}
		if slices.Contains(seen, s.name) {
			t.Errorf("README.md:%d: a second snippet called %q", s.line, s.name)
		}
		seen = append(seen, s.name)
		file := filepath.Join(dir, s.name+".go")
		if err := os.WriteFile(file, []byte(source(s, h, readme)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range harnesses {
		if !slices.Contains(seen, name) {
			t.Errorf("the harness of snippet %q has no snippet in the README", name)
		}
	}
	out, err := exec.Command("go", "build", "./"+dir).CombinedOutput()
	if err != nil {
		t.Fatalf("README snippets do not compile:\n%s", out)
	}
}
