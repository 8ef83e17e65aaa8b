// The admin home page: the counts staff look at first. Bundled by AdminJS for the browser (React, design system).
import React, { useEffect, useState } from 'react';
import { ApiClient, ViewHelpers } from 'adminjs';
import { Box, H2, Link, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();
const h = new ViewHelpers();

const CARDS = [
  { key: 'users', label: 'Users', resourceId: 'User', link: 'Open users' },
  { key: 'threads', label: 'Threads', resourceId: 'Thread', link: 'Open threads' },
  { key: 'messagesToday', label: 'Messages today (UTC)', resourceId: 'Message', link: 'Open messages' },
  { key: 'unreadBacklog', label: 'Unread backlog', resourceId: 'Participant', link: 'Open read markers' },
];

const Dashboard = () => {
  const [counts, setCounts] = useState(null);
  const [error, setError] = useState(null);

  useEffect(() => {
    api
      .getDashboard()
      .then((response) => setCounts(response.data))
      .catch((e) => setError(e.message));
  }, []);

  return (
    <Box variant="grey" data-testid="parley-dashboard">
      <H2>Parley admin</H2>
      <Text mb="xl">
        Users, threads and messages of this Parley server. Changes made here go through the same rules as the API; messages sent here reach open inboxes live.
      </Text>
      {error ? <MessageBox message={`Could not load the counts: ${error}`} variant="danger" /> : null}
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: '16px' }}>
        {CARDS.map((card) => (
          <Box key={card.key} variant="white" width={['100%', '45%', '22%']} p="xl" data-testid={`count-${card.key}`}>
            <Text mb="default" color="grey60">
              {card.label}
            </Text>
            <H2 mb="default">{counts ? counts[card.key] : '…'}</H2>
            <Link href={h.resourceUrl({ resourceId: card.resourceId })}>{card.link}</Link>
          </Box>
        ))}
      </Box>
    </Box>
  );
};

export default Dashboard;
