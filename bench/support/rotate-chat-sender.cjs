// autocannon `setupRequest` for the in-room rounds, required by its worker thread (workers take a file, not a
// function). A user's limits hold across their connections, so one user's line sent over and over would be refused
// as too quick and as a repeat: each request comes from the next of 500 users (the bench widens the rate limit to 24
// lines a second each), with its own text, so every line is accepted. After the first 500 lines each user's counters
// are in the app's memory: the rounds measure the steady state, one conditional write of the counters per line.
const senders = 500;
let sent = 0;

module.exports = (request) => {
  sent++;
  const body = JSON.parse(request.body);
  return {
    ...request,
    headers: { ...request.headers, 'ce-userid': `bench-user-${sent % senders}` },
    body: JSON.stringify({ ...body, text: `${body.text} ${sent}` }),
  };
};
