package kafka

import (
	"strings"
	"testing"
)

// TestClaimInstanceID checks the ids that consumers join their groups with
// under an instance name: NAME-TOPIC, then NAME-TOPIC-N for the Nth
// consumer held at once in one group, and an id given back is given again.
func TestClaimInstanceID(t *testing.T) {
	conf := ConfigMap{"bootstrap.servers": "b:9092", "group.id": "g", "group.instance.id": "w1"}
	claim := func(conf ConfigMap, topic, want string) func() {
		t.Helper()
		id, release := claimInstanceID(conf, topic)
		if id != want {
			t.Errorf("claimInstanceID(%v, %s) = %q, want %q", conf, topic, id, want)
		}
		return release
	}
	r1 := claim(conf, "in", "w1-in")
	r2 := claim(conf, "in", "w1-in-2")
	r3 := claim(conf, "other", "w1-other")
	other := ConfigMap{"bootstrap.servers": "b:9092", "group.id": "g2", "group.instance.id": "w1"}
	r4 := claim(other, "in", "w1-in") // another group
	r1()
	r1() // twice is once
	r5 := claim(conf, "in", "w1-in")
	r6 := claim(conf, "in", "w1-in-3")
	for _, r := range []func(){r2, r3, r4, r5, r6} {
		r()
	}
	claim(ConfigMap{"group.id": "g"}, "in", "")()
	claim(ConfigMap{"group.id": "g", "group.instance.id": ""}, "in", "")()
	if len(staticMembers.held) != 0 {
		t.Errorf("ids still held: %v", staticMembers.held)
	}
}

func TestInstanceNameChecked(t *testing.T) {
	for _, tt := range []struct{ name, err string }{
		{"worker-1", ""},
		{"", ""},
		{"pod.a_b-C9", ""},
		{"worker 1", `has ' '`},
		{"state/demo", `has '/'`},
		{strings.Repeat("x", 244), "too long"}, // with "-in-99", over 249
	} {
		_, err := NewTopic[string, string]("in", ConfigMap{"group.id": "g", "group.instance.id": tt.name})
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("NewTopic with group.instance.id %q: %v, want an error containing %q", tt.name, err, tt.err)
		}
	}
}
