package main

// Connectors register themselves for their URI schemes when imported.
import (
	_ "github.com/piisniff/piisniff/connectors/elasticsearch"
	_ "github.com/piisniff/piisniff/connectors/files"
	_ "github.com/piisniff/piisniff/connectors/mongodb"
	_ "github.com/piisniff/piisniff/connectors/mysql"
	_ "github.com/piisniff/piisniff/connectors/postgres"
	_ "github.com/piisniff/piisniff/connectors/sqlite"
)
