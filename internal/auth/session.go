package auth

import "time"

// SessionCookie is the name of the cookie that carries a session secret
// (from NewToken("")); the store keeps only its HashToken.
const SessionCookie = "vulndesk_session"

// SessionTTL is how long a session lasts after login.
const SessionTTL = 12 * time.Hour
