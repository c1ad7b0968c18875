/** The operator API authenticates with the shared Authenticator (the shell broker and the results gateway use it too). */
export * from '../../shared/auth/authenticator';
