// Package auth holds the building blocks of vulndesk's authentication:
// argon2id password hashes and the policy for choosing a password, random
// secrets for sessions and API tokens, roles and their permissions, and a
// login rate limiter. It is pure: no
// HTTP, no storage; the server wires these pieces to requests and rows.
package auth
