package kafka

import (
	"fmt"
	"strconv"
	"sync"
)

// group.instance.id names the app's instance, and each consumer of the
// process joins its group as a static member under an id of its own made
// from it: see Restarts in the package doc for why and how.

// maxInstanceID is the longest group.instance.id a broker accepts.
const maxInstanceID = 249

// instanceName returns the instance name that conf sets, "" if none.
func instanceName(conf ConfigMap) string {
	s, _ := valueString(conf["group.instance.id"]) // validated by NewTopic
	return s
}

// checkInstanceName reports a group.instance.id in conf from which the
// consumers of topic cannot derive ids a broker accepts: as with topic
// names, at most 249 characters, all ASCII letters, digits, '.', '_' or
// '-'. An empty one names no instance.
func checkInstanceName(conf ConfigMap, topic string) error {
	name := instanceName(conf)
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("configuration key %q: %q has %q: an instance name may hold only ASCII letters, digits, '.', '_' and '-'", "group.instance.id", name, r)
		}
	}
	// Room for "-TOPIC" and a "-N" of two digits.
	if len(name+"-"+topic+"-99") > maxInstanceID {
		return fmt.Errorf("configuration key %q: %q is too long: its consumers' ids (%s-%s) must fit in %d characters", "group.instance.id", name, name, topic, maxInstanceID-3)
	}
	return nil
}

// staticMember is one group.instance.id in use by a consumer of this
// process: its group's brokers, the group and the id.
type staticMember struct{ servers, group, id string }

// staticMembers holds the group.instance.ids that the consumers of this
// process hold, from the moment each is made until its client is closed.
var staticMembers struct {
	mu   sync.Mutex
	held map[staticMember]bool
}

// claimInstanceID returns the group.instance.id that a new consumer of
// topic, configured with conf, joins its group with, and the function that
// gives it back once the consumer's client is closed. It returns "" if
// conf names no instance: the consumer is then a dynamic member.
func claimInstanceID(conf ConfigMap, topic string) (id string, release func()) {
	name := instanceName(conf)
	if name == "" {
		return "", func() {}
	}
	servers, _ := valueString(conf["bootstrap.servers"])
	group, _ := valueString(conf["group.id"])
	staticMembers.mu.Lock()
	defer staticMembers.mu.Unlock()
	if staticMembers.held == nil {
		staticMembers.held = make(map[staticMember]bool)
	}
	m := staticMember{servers, group, name + "-" + topic}
	for n := 2; staticMembers.held[m]; n++ {
		m.id = name + "-" + topic + "-" + strconv.Itoa(n)
	}
	staticMembers.held[m] = true
	var once sync.Once
	return m.id, func() {
		once.Do(func() {
			staticMembers.mu.Lock()
			delete(staticMembers.held, m)
			staticMembers.mu.Unlock()
		})
	}
}
