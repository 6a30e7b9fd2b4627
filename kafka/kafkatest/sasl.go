package kafkatest

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// rejectWrongPasswords makes c answer a SASL PLAIN authentication of one
// of users with a wrong password as Kafka does, with the error
// SASL_AUTHENTICATION_FAILED. kfake itself drops the connection, which
// librdkafka reports as a transport failure, not an authentication one.
// Anything else, including unknown users, is left to kfake.
func rejectWrongPasswords(c *kfake.Cluster, users []saslUser) {
	passwords := make(map[string]string, len(users))
	for _, u := range users {
		passwords[u.name] = u.pass
	}
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		auth := req.(*kmsg.SASLAuthenticateRequest)
		// PLAIN sends authzid NUL user NUL password; SCRAM never has a NUL.
		f := strings.Split(string(auth.SASLAuthBytes), "\x00")
		if len(f) != 3 {
			return nil, nil, false
		}
		pass, ok := passwords[f[1]]
		if !ok || pass == f[2] {
			return nil, nil, false
		}
		resp := auth.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := "Authentication failed: Invalid username or password"
		resp.ErrorMessage = &msg
		return resp, nil, true
	})
}
