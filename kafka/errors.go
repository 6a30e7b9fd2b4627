package kafka

import (
	"errors"
	"fmt"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A clientErrorKind says what a client error means to a consumer or a
// producer: whether it can go on. See classify.
type clientErrorKind uint8

const (
	// errRetriable: librdkafka retries, reconnects or waits for metadata
	// by itself (a broker down, a topic not yet created). It is logged.
	errRetriable clientErrorKind = iota
	// errFatal: the client cannot be used any more.
	errFatal
	// errAuthentication: the client's credentials were refused.
	errAuthentication
	// errAuthorization: the credentials do not allow reading or writing
	// the topic, or joining the group.
	errAuthorization
	// errFenced: another consumer joined the group with this consumer's
	// group.instance.id, which ends this one (fatal in librdkafka).
	errFenced
)

// classify says what the error e, reported by a client outside any
// message's delivery (an error event), means. Consumers and producers act
// alike: a retriable error is logged; any other ends the client's use,
// with an error naming the topic (see clientFailure). librdkafka retries
// failed authentications and authorizations as it retries a broker down,
// but they never succeed without a change of credentials or ACLs, so
// waiting would only turn a clear error into timeouts, minutes later.
func classify(e ckafka.Error) clientErrorKind {
	if e.Code() == ckafka.ErrFencedInstanceID {
		return errFenced
	}
	if e.IsFatal() {
		return errFatal
	}
	switch e.Code() {
	case ckafka.ErrFatal:
		return errFatal
	case ckafka.ErrAuthentication, ckafka.ErrSaslAuthenticationFailed:
		return errAuthentication
	case ckafka.ErrTopicAuthorizationFailed, ckafka.ErrGroupAuthorizationFailed,
		ckafka.ErrClusterAuthorizationFailed, ckafka.ErrTransactionalIDAuthorizationFailed:
		return errAuthorization
	}
	return errRetriable
}

// clientFailure returns the error that ends the use of a client (role is
// "consumer" or "producer", followed by a static member's
// group.instance.id) of topic after it reported e, or nil if e is
// retriable.
func clientFailure(topic, role string, e ckafka.Error) error {
	var what string
	switch classify(e) {
	case errFatal:
		what = role + " failed"
	case errAuthentication:
		what = "authentication failed"
	case errAuthorization:
		what = "not authorized"
	case errFenced:
		what = role + " fenced: another consumer joined the group with the same group.instance.id," +
			" as a second process given this one's instance name does"
	default:
		return nil
	}
	return fmt.Errorf("kafka: topic %s: %s: %w", topic, what, e)
}

// isNoOffset reports the error of a commit with nothing to commit.
func isNoOffset(err error) bool { return hasCode(err, ckafka.ErrNoOffset) }

// isQueueFull reports the error of a produce refused for want of room in
// the producer's queue.
func isQueueFull(err error) bool { return hasCode(err, ckafka.ErrQueueFull) }

func hasCode(err error, code ckafka.ErrorCode) bool {
	var kerr ckafka.Error
	return errors.As(err, &kerr) && kerr.Code() == code
}
