package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

func TestErrorKinds(t *testing.T) {
	unauthorized := mongo.CommandError{Code: 13, Name: "Unauthorized", Message: "not authorized on admin to execute command { listDatabases: 1 }"}
	notImplemented := mongo.CommandError{Code: 238, Name: "NotImplemented", Message: "`aggregate` stage \"$sample\" is not implemented yet"}
	unrecognized := mongo.CommandError{Code: 40324, Name: "Location40324", Message: "Unrecognized pipeline stage name: '$sample'"}
	maxTime := mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired", Message: "operation exceeded time limit"}
	tests := []struct {
		name                        string
		err                         error
		unauth, noSample, timeLimit bool
	}{
		{"unauthorized", unauthorized, true, false, false},
		{"wrapped unauthorized", fmt.Errorf("listing: %w", unauthorized), true, false, false},
		{"atlas unauthorized", mongo.CommandError{Code: 8000, Message: "user is not allowed to do action [listDatabases]"}, true, false, false},
		{"requires authentication", errors.New("command listDatabases requires authentication"), true, false, false},
		{"$sample not implemented", notImplemented, false, true, false},
		{"$sample unrecognized", unrecognized, false, true, false},
		{"$sample old server", mongo.CommandError{Code: 16436, Message: "Unrecognized pipeline stage name: '$sample'"}, false, true, false},
		{"$sample by message", errors.New("Stage $sample is not supported"), false, true, false},
		{"max time", maxTime, false, false, true},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false, false, true},
		{"other", errors.New("boom"), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isUnauthorized(tt.err); got != tt.unauth {
				t.Errorf("isUnauthorized = %v", got)
			}
			if got := sampleUnsupported(tt.err); got != tt.noSample {
				t.Errorf("sampleUnsupported = %v", got)
			}
			if got := isTimeLimit(tt.err); got != tt.timeLimit {
				t.Errorf("isTimeLimit = %v", got)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		msg, want string
	}{
		{"server selection error: context deadline exceeded, current topology: { Type: Unknown, Servers: [{ Addr: 10.0.0.1:27017, Type: Unknown, Last error: dial tcp 10.0.0.1:27017: i/o timeout }, ] }",
			"did not answer within the connect timeout"},
		{"server selection error: context canceled, current topology: { Type: Unknown, Servers: [{ Addr: 127.0.0.1:39879, Type: Unknown, Last error: connection(127.0.0.1:39879[-156]) incomplete read of message header: context canceled }, ] }",
			"did not answer as MongoDB: it may require TLS"},
		{"dial tcp: lookup db.example.invalid: no such host", "DNS lookup failed"},
		{"dial tcp: lookup db.example.internal on 10.0.0.2:53: server misbehaving", "DNS lookup failed"},
		{"auth error: sasl conversation error: unable to authenticate using mechanism \"SCRAM-SHA-256\": (AuthenticationFailed) Authentication failed.", "authentication failed"},
		{"tls: failed to verify certificate: x509: certificate signed by unknown authority", "TLS certificate verification failed"},
		{"x509: certificate is valid for db.internal, not localhost", "TLS certificate verification failed"},
		{"remote error: tls: handshake failure", "TLS handshake failed"},
		{"dial tcp 127.0.0.1:1: connect: connection refused", "connection refused"},
		{"connection reset by peer", "closed the connection"},
		{"invalid MongoDB URI: error parsing uri: scheme must be \"mongodb\" or \"mongodb+srv\"", "not a valid MongoDB connection string"},
		{"something else", "cannot connect"},
	}
	for _, tt := range tests {
		if got := classify(errors.New(tt.msg)); !strings.Contains(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.msg, got, tt.want)
		}
	}
	long := "server selection error: ... Last error: dial tcp 10.0.0.1:27017: i/o timeout }, ] }"
	if got := briefDriverError(errors.New(long)); got != "dial tcp 10.0.0.1:27017: i/o timeout" {
		t.Errorf("brief %q", got)
	}
}
