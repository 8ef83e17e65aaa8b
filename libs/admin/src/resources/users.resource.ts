import type { ResourceWithOptions } from 'adminjs';
import { User } from '../../../users/src/user.entity.js';
import { Components } from '../admin-components.js';
import type { AdminService } from '../admin.service.js';
import { ACCOUNTS, boolField, OFF, onPost, optionalTextField, recordIdOf, recordResponse, textField } from './action-helpers.js';
import { ParleyResource } from './parley-resource.js';

const USER_FIELDS: Record<string, string> = {
  invalid_username: 'username',
  username_taken: 'username',
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  own_staff_flag: 'isStaff',
};
const fieldOf = (code: string): string | undefined => USER_FIELDS[code];

/** Users: list, search, filter by staff, create (password hashed by UsersService), edit, and "Set password". Never deleted here: their messages would go with them and leave gaps in seq. */
export function usersResource(admin: AdminService): ResourceWithOptions {
  return {
    resource: new ParleyResource(User),
    options: {
      navigation: ACCOUNTS,
      titleProperty: 'username',
      sort: { sortBy: 'id', direction: 'asc' },
      listProperties: ['id', 'username', 'email', 'isStaff', 'createdAt'],
      filterProperties: ['username', 'email', 'displayName', 'isStaff', 'createdAt'],
      showProperties: ['id', 'username', 'displayName', 'email', 'isStaff', 'createdAt'],
      editProperties: ['username', 'displayName', 'email', 'isStaff', 'password'],
      properties: {
        username: { isRequired: true },
        displayName: { isRequired: true },
        // The hash is never selected by default, never shown and never editable as text.
        passwordHash: { isVisible: false },
        password: {
          type: 'password',
          isVisible: { list: false, filter: false, show: false, edit: true },
          description: 'New users only; use "Set password" later.',
        },
      },
      actions: {
        new: {
          handler: onPost(async (request, context) => {
            const user = await admin.createUser(context.currentAdmin, {
              username: textField(request, 'username'),
              displayName: textField(request, 'displayName'),
              email: textField(request, 'email') || null,
              password: textField(request, 'password'),
              isStaff: boolField(request, 'isStaff') ?? false,
            });
            return recordResponse(
              context,
              user.id,
              `User ${user.username} created.`,
              context.h.recordActionUrl({ resourceId: 'User', recordId: String(user.id), actionName: 'show' }),
            );
          }, fieldOf),
        },
        edit: {
          handler: onPost(async (request, context) => {
            // Fields the form did not send stay as they are; an emptied email is removed.
            const user = await admin.updateUser(context.currentAdmin, recordIdOf(request), {
              username: optionalTextField(request, 'username') ?? undefined,
              displayName: optionalTextField(request, 'displayName') ?? undefined,
              email: optionalTextField(request, 'email'),
              isStaff: boolField(request, 'isStaff'),
            });
            return recordResponse(
              context,
              user.id,
              `User ${user.username} saved.`,
              context.h.recordActionUrl({ resourceId: 'User', recordId: String(user.id), actionName: 'show' }),
            );
          }, fieldOf),
        },
        setPassword: {
          actionType: 'record',
          icon: 'Key',
          component: Components.SetPassword,
          handler: onPost(async (request, context) => {
            const userId = recordIdOf(request);
            await admin.setPassword(context.currentAdmin, userId, textField(request, 'password'));
            return recordResponse(
              context,
              userId,
              'Password set.',
              context.h.recordActionUrl({ resourceId: 'User', recordId: String(userId), actionName: 'show' }),
            );
          }, fieldOf),
        },
        delete: OFF,
        bulkDelete: OFF,
      },
    },
  };
}
