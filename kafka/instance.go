package kafka

import (
	"fmt"
	"strconv"
	"sync"
)

// A consumer joins its group as a static member (KIP-345) when the
// configuration names the instance of the app with group.instance.id: a
// restarted instance then takes its dead predecessor's place, and its
// partitions, at once, instead of waiting session.timeout.ms for the broker
// to notice the death. The broker keys static members by that id within a
// group, and one process may run several consumers in one group (a topic
// per handler, or one topic read twice), which would fence each other
// under one id; so the name is the instance's, and each consumer joins as
// NAME-TOPIC, or NAME-TOPIC-N for the Nth consumer of one topic that the
// process runs at once in one group. The package doc says how to choose
// the name.

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
