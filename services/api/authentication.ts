/** The operator API authenticates with the shared Authenticator (the shell broker uses it too). */
export { actorOf, Authenticator, bearerToken, currentUser, type AuthenticatedUser } from '../../shared/auth/authenticator';
