/** The authenticated user on whose behalf a service method runs. Every service method takes it first. */
export interface Actor {
  readonly id: number;
  readonly username: string;
  readonly isStaff: boolean;
}
