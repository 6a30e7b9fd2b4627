package kafka

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		err  ckafka.Error
		want clientErrorKind
		what string // in clientFailure's error; "" for none
	}{
		{ckafka.NewError(ckafka.ErrAllBrokersDown, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrTransport, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrUnknownTopicOrPart, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrUnknownTopic, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrMaxPollExceeded, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrTimedOut, "", false), errRetriable, ""},
		{ckafka.NewError(ckafka.ErrFatal, "", false), errFatal, "consumer failed"},
		{ckafka.NewError(ckafka.ErrFatal, "", true), errFatal, "consumer failed"},
		// A fatal error event carries the code of the error that caused it.
		{ckafka.NewError(ckafka.ErrOutOfOrderSequenceNumber, "", true), errFatal, "consumer failed"},
		{ckafka.NewError(ckafka.ErrAuthentication, "", false), errAuthentication, "authentication failed"},
		{ckafka.NewError(ckafka.ErrSaslAuthenticationFailed, "", false), errAuthentication, "authentication failed"},
		{ckafka.NewError(ckafka.ErrTopicAuthorizationFailed, "", false), errAuthorization, "not authorized"},
		{ckafka.NewError(ckafka.ErrGroupAuthorizationFailed, "", false), errAuthorization, "not authorized"},
		{ckafka.NewError(ckafka.ErrClusterAuthorizationFailed, "", false), errAuthorization, "not authorized"},
		{ckafka.NewError(ckafka.ErrTransactionalIDAuthorizationFailed, "", false), errAuthorization, "not authorized"},
		{ckafka.NewError(ckafka.ErrFencedInstanceID, "", true), errFenced, "consumer fenced"},
	} {
		t.Run(tt.err.Code().String(), func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v, fatal %v) = %d, want %d", tt.err.Code(), tt.err.IsFatal(), got, tt.want)
			}
			err := clientFailure("in", "consumer", tt.err)
			if tt.what == "" {
				if err != nil {
					t.Errorf("clientFailure = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "kafka: topic in: "+tt.what+": ") || !errors.Is(err, tt.err) {
				t.Errorf("clientFailure = %v, want %q naming topic in, wrapping the client's error", err, tt.what)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	noOffset := ckafka.NewError(ckafka.ErrNoOffset, "", false)
	queueFull := ckafka.NewError(ckafka.ErrQueueFull, "", false)
	if !isNoOffset(noOffset) || !isNoOffset(fmt.Errorf("commit: %w", noOffset)) || isNoOffset(queueFull) || isNoOffset(nil) {
		t.Error("isNoOffset is wrong")
	}
	if !isQueueFull(queueFull) || isQueueFull(noOffset) || isQueueFull(errors.New("queue full")) {
		t.Error("isQueueFull is wrong")
	}
}
