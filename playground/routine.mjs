// What all three configs share: the routine to publish to. With real credentials and no
// ESA_ENDPOINT the configs publish to real ESA; set ESA_ROUTINE_NAME to a routine of yours.
export const routineName = process.env.ESA_ROUTINE_NAME ?? 'esa-stage-playground';
