// autocannon `setupRequest` for the in-room rounds, required by its worker thread (workers take a file, not a
// function). A user's limits hold across their connections, so one user's line sent over and over would be refused
// as too quick and as a repeat: each request comes from the next of 100 users (the bench widens the rate limit to 24
// lines a second each, room for 2,400 a second), with its own text, so every line is accepted. Each round has a room
// of its own: a user's first line in it creates their counters' row, and every later one is the steady state, one
// conditional write.
const senders = 100;
let sent = 0;

module.exports = (request) => {
  sent++;
  const body = JSON.parse(request.body);
  return {
    ...request,
    headers: { ...request.headers, 'ce-userid': `bench-user-${sent % senders}` },
    // Digits one by one: folding squeezes a run of one character, so "100" and "10" would read alike to the flood rule.
    body: JSON.stringify({ ...body, text: `${body.text} ${[...String(sent)].join(' ')}` }),
  };
};
