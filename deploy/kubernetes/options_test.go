package kubernetes_test

import "github.com/piisniff/piisniff/connectors"

func connectorsOptions(getenv func(string) string) connectors.Options {
	return connectors.Options{Env: getenv}
}
