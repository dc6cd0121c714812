-- SSH routes: a connection's route to its database through bastions, as JSON (the model's
-- `SshRoute`: hops or a ~/.ssh/config alias). Its secrets are keychain entries of kinds
-- `ssh-1` … `ssh-8` in `secrets`, like the password; never here.
ALTER TABLE connections ADD COLUMN ssh TEXT;
