import { AuthForm } from "../_components/AuthForm";

export default function SignupPage() {
  return <AuthForm mode="signup" />;
}
