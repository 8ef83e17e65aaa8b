// "Set password" on a user: the new password goes to the action's handler, which hashes it (UsersService).
import React, { useState } from 'react';
import { ApiClient, ViewHelpers, useNotice } from 'adminjs';
import { Box, Button, FormGroup, FormMessage, Input, Label, Text } from '@adminjs/design-system';

const api = new ApiClient();
const h = new ViewHelpers();

const SetPassword = ({ record, resource }) => {
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const addNotice = useNotice();

  const submit = async (event) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'setPassword', data: { password } });
      const { notice, record: updated } = response.data;
      if (notice) addNotice(notice);
      if (notice && notice.type === 'error') {
        setError((updated && updated.errors && updated.errors.password && updated.errors.password.message) || notice.message);
      } else {
        window.location.assign(h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' }));
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box as="form" variant="white" p="xl" onSubmit={submit}>
      <Text mb="lg">
        Sets a new password for <b>{record.title}</b>. It is stored hashed (scrypt), like every password; the user signs in with it from now on.
      </Text>
      <FormGroup error={Boolean(error)}>
        <Label htmlFor="new-password" required>
          New password
        </Label>
        <Input
          id="new-password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          width={1 / 2}
        />
        <FormMessage>{error}</FormMessage>
      </FormGroup>
      <Button variant="contained" type="submit" disabled={saving || password.length === 0}>
        Set password
      </Button>
    </Box>
  );
};

export default SetPassword;
