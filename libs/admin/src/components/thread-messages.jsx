// A thread's messages inline on its show page, in seq order, with who has read each (from the participants' read
// markers), paginated, with edit/redact links, and a form to send a message as one of the participants.
// Everything goes through AdminJS's API (the Message and Participant resources), so the same actions and rules apply.
import React, { useCallback, useEffect, useState } from 'react';
import { ApiClient, ViewHelpers, useNotice } from 'adminjs';
import {
  Box,
  Button,
  FormGroup,
  H4,
  Label,
  Link,
  Loader,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
  TextArea,
} from '@adminjs/design-system';

const api = new ApiClient();
const h = new ViewHelpers();
const PER_PAGE = 20;

const usernameOf = (record, path) => {
  const populated = record.populated && record.populated[path];
  return populated ? populated.title : `#${record.params[path]}`;
};

/** Who has read message `seq` among the participants other than its sender ("read up to" markers). */
const readState = (participants, message) => {
  const others = participants.filter((p) => p.userId !== message.senderId);
  const read = others.filter((p) => p.lastReadSeq >= message.seq).map((p) => p.username);
  const unread = others.filter((p) => p.lastReadSeq < message.seq).map((p) => p.username);
  return { read, unread };
};

const ThreadMessages = ({ record }) => {
  const threadId = record.params.id;
  const addNotice = useNotice();
  const [participants, setParticipants] = useState([]);
  const [messages, setMessages] = useState([]);
  const [pager, setPager] = useState({ page: 1, total: 0 });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [senderId, setSenderId] = useState('');
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);

  /** Loads a page of messages (the newest page when `page` is null) and the participants' current markers. */
  const load = useCallback(
    async (page) => {
      setLoading(true);
      setError(null);
      try {
        const parts = await api.resourceAction({
          resourceId: 'Participant',
          actionName: 'list',
          params: { 'filters.threadId': threadId, perPage: 500, sortBy: 'joinedAt', direction: 'asc' },
        });
        const list = parts.data.records.map((p) => ({
          userId: Number(p.params.userId),
          username: usernameOf(p, 'userId'),
          lastReadSeq: Number(p.params.lastReadSeq),
        }));
        setParticipants(list);
        setSenderId((current) => current || (list[0] ? String(list[0].userId) : ''));

        const fetchPage = (n) =>
          api.resourceAction({
            resourceId: 'Message',
            actionName: 'list',
            params: { 'filters.threadId': threadId, sortBy: 'seq', direction: 'asc', perPage: PER_PAGE, page: n },
          });
        let response = await fetchPage(page || 1);
        const total = response.data.meta.total;
        const last = Math.max(1, Math.ceil(total / PER_PAGE));
        if (!page && last > 1) response = await fetchPage(last);
        setMessages(
          response.data.records.map((m) => ({
            id: m.id,
            seq: Number(m.params.seq),
            senderId: Number(m.params.senderId),
            sender: usernameOf(m, 'senderId'),
            text: m.params.text,
            createdAt: m.params.createdAt,
            editedAt: m.params.editedAt || null,
            deletedAt: m.params.deletedAt || null,
          })),
        );
        setPager({ page: response.data.meta.page, total });
      } catch (e) {
        setError(e.message);
      } finally {
        setLoading(false);
      }
    },
    [threadId],
  );

  useEffect(() => {
    load(null);
  }, [load]);

  const redact = async (message) => {
    // eslint-disable-next-line no-alert
    if (!window.confirm(`Redact message ${message.seq}? It becomes a tombstone (deleted), keeps its place in the thread, and everyone sees it live.`)) return;
    const response = await api.recordAction({ resourceId: 'Message', recordId: message.id, actionName: 'delete', data: {} });
    if (response.data.notice) addNotice(response.data.notice);
    await load(pager.page);
  };

  const send = async (event) => {
    event.preventDefault();
    setSending(true);
    try {
      const response = await api.resourceAction({ resourceId: 'Message', actionName: 'new', data: { threadId, senderId, text } });
      const { notice } = response.data;
      if (notice) addNotice(notice);
      if (!notice || notice.type !== 'error') {
        setText('');
        await load(null);
      }
    } finally {
      setSending(false);
    }
  };

  const lastPage = Math.max(1, Math.ceil(pager.total / PER_PAGE));
  return (
    <Box mb="xxl" data-testid="thread-messages">
      <H4 mb="lg">
        Messages ({pager.total}){lastPage > 1 ? `: page ${pager.page} of ${lastPage}` : ''}
      </H4>
      {error ? <MessageBox message={`Could not load the messages: ${error}`} variant="danger" mb="lg" /> : null}
      {loading && messages.length === 0 ? <Loader /> : null}
      {!loading && pager.total === 0 ? <Text mb="lg">No messages yet.</Text> : null}
      {messages.length > 0 ? (
        <Table width={1} mb="lg">
          <TableHead>
            <TableRow>
              <TableCell>Seq</TableCell>
              <TableCell>Sender</TableCell>
              <TableCell>Text</TableCell>
              <TableCell>Sent</TableCell>
              <TableCell>Read by</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {messages.map((message) => {
              const { read, unread } = readState(participants, message);
              return (
                <TableRow key={message.id} data-testid="thread-message" data-seq={message.seq}>
                  <TableCell>{message.seq}</TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{message.sender}</TableCell>
                  <TableCell style={{ whiteSpace: 'pre-wrap', maxWidth: '480px' }}>
                    {message.deletedAt ? (
                      <Text color="grey60">(deleted {new Date(message.deletedAt).toLocaleString()})</Text>
                    ) : (
                      <>
                        {message.text}
                        {message.editedAt ? <Text color="grey60">(edited)</Text> : null}
                      </>
                    )}
                  </TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>{new Date(message.createdAt).toLocaleString()}</TableCell>
                  <TableCell>
                    {read.length > 0 ? <Text color="success">✓ {read.join(', ')}</Text> : null}
                    {unread.length > 0 ? <Text color="grey60">not yet: {unread.join(', ')}</Text> : null}
                  </TableCell>
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    {message.deletedAt ? null : (
                      <>
                        <Link href={h.recordActionUrl({ resourceId: 'Message', recordId: message.id, actionName: 'edit' })} mr="default">
                          Edit
                        </Link>
                        <Button size="sm" variant="text" color="danger" type="button" onClick={() => redact(message)}>
                          Redact
                        </Button>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
      {lastPage > 1 ? (
        <Box flex flexDirection="row" mb="xl" style={{ gap: '8px' }}>
          <Button size="sm" type="button" disabled={pager.page <= 1 || loading} onClick={() => load(1)}>
            Oldest
          </Button>
          <Button size="sm" type="button" disabled={pager.page <= 1 || loading} onClick={() => load(pager.page - 1)}>
            Older
          </Button>
          <Button size="sm" type="button" disabled={pager.page >= lastPage || loading} onClick={() => load(pager.page + 1)}>
            Newer
          </Button>
          <Button size="sm" type="button" disabled={pager.page >= lastPage || loading} onClick={() => load(null)}>
            Newest
          </Button>
        </Box>
      ) : null}
      <Box as="form" variant="white" p="lg" onSubmit={send} data-testid="send-as-form">
        <H4 mb="default">Send a message as a participant</H4>
        <Text mb="lg" color="grey60">
          Delivered like any message: live to the other participants, with the next seq, read by its sender.
        </Text>
        <FormGroup>
          <Label htmlFor="send-as-sender">Sender</Label>
          <select
            id="send-as-sender"
            name="senderId"
            value={senderId}
            onChange={(e) => setSenderId(e.target.value)}
            style={{ padding: '8px', minWidth: '240px' }}
          >
            {participants.map((p) => (
              <option key={p.userId} value={String(p.userId)}>
                {p.username}
              </option>
            ))}
          </select>
        </FormGroup>
        <FormGroup>
          <Label htmlFor="send-as-text">Text</Label>
          <TextArea id="send-as-text" name="text" rows={3} width={1} value={text} onChange={(e) => setText(e.target.value)} />
        </FormGroup>
        <Button variant="contained" type="submit" disabled={sending || !senderId || text.trim().length === 0}>
          Send
        </Button>
      </Box>
    </Box>
  );
};

export default ThreadMessages;
